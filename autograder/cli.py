"""The `autograder` command: a thin shell over each verb's main(), whose defaults it reads."""
from __future__ import annotations

import argparse
import inspect
import sys


def _default(fn, name):
    return inspect.signature(fn).parameters[name].default


def _release(args):
    from autograder import release

    for path in release.main(labs=args.labs or None):
        print(f"released {path}")
    return 0


def _grade(args):
    from autograder.grade import pipeline

    from autograder.grade.kernel import SandboxUnavailable

    try:
        print(pipeline.sandbox_status(args.sandbox)[1], flush=True)
    except SandboxUnavailable as exc:
        print(f"autograder grade: {exc}", file=sys.stderr)
        return 2
    summary = pipeline.main(submissions=args.submissions, out=args.out, labs=args.labs or None,
                            workers=args.workers, shard=args.shard, progress=not args.quiet,
                            course_toml=args.course, sandbox=args.sandbox, students=args.students or None,
                            force=args.force)
    print(summary.describe())
    return 0


def _merge(args):
    from autograder import merge

    summary = merge.main(parts=args.parts, out=args.out)
    print(merge.describe(summary, len(args.parts)))
    return 0


def _report(args):
    from autograder import report

    print(f"wrote {report.main(out=args.out)}")
    return 0


def _export(args):
    from autograder import export

    print(export.main(out=args.out, format=args.format, dest=args.dest, roster=args.roster).describe())
    return 0


def _validate(args):
    from autograder import validate

    return validate.main(notebook=args.notebook)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autograder", description=__doc__)
    verbs = parser.add_subparsers(dest="verb", required=True)

    p = verbs.add_parser("release", help="generate release/ from source/ (instructors)")
    p.add_argument("labs", nargs="*", help="lab ids (default: every lab)")
    p.set_defaults(run=_release)

    from autograder.grade import pipeline

    p = verbs.add_parser("grade", help="grade a folder of submissions <student>/<lab>/<lab>.ipynb (TAs)")
    p.add_argument("submissions", help="folder of <student_id>/<lab_id>/<lab_id>.ipynb")
    p.add_argument("--out", required=True, help="output folder: grades.csv, cells.csv, gradebook.db, feedback/")
    p.add_argument("--labs", nargs="*", help="only these labs (default: every lab in course.toml)")
    p.add_argument("--workers", type=int, default=_default(pipeline.main, "workers"),
                   help="students graded in parallel (default: the number of cores)")
    p.add_argument("--shard", default=_default(pipeline.main, "shard"),
                   help="K/N: grade only the K-th of N disjoint parts of the class (1-based)")
    p.add_argument("--students", nargs="*", help="regrade only these students into an existing --out "
                   "(with --labs: only those labs); the rest of the class is kept and the tables rewritten")
    p.add_argument("--force", action="store_true", help="regrade even submissions that did not change")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--sandbox", choices=("required", "auto", "off"), default="auto",
                   help="bubblewrap around each kernel: required (refuse without it; CI), auto (use it where it "
                        "works, else say so and flag each row no-sandbox) or off")
    p.add_argument("--course", default=str(_default(pipeline.main, "course_toml")),
                   help="the course description (default: this project's course.toml)")
    p.set_defaults(run=_grade)

    p = verbs.add_parser("merge", help="join the outputs of `grade --shard K/N` into one class (TAs)")
    p.add_argument("parts", nargs="+", help="the --out folders of the shards")
    p.add_argument("--out", required=True, help="the merged folder: grades.csv, cells.csv, gradebook.db, feedback/")
    p.set_defaults(run=_merge)

    from autograder import export

    p = verbs.add_parser("report", help="write OUT/report.html: score histograms and item analysis (instructors)")
    p.add_argument("out", help="the --out folder of `autograder grade`")
    p.set_defaults(run=_report)

    p = verbs.add_parser("export", help="write a gradebook file for Canvas or a plain csv, late rule applied (TAs)")
    p.add_argument("out", help="the --out folder of `autograder grade`")
    p.add_argument("--format", choices=sorted(export.FORMATS), default=_default(export.main, "format"),
                   help="canvas: Canvas's gradebook import CSV; csv: student_id, one column per lab, total")
    p.add_argument("--dest", default=_default(export.main, "dest"),
                   help="the file to write (default: OUT/canvas.csv or OUT/grades_export.csv)")
    p.add_argument("--roster", default=_default(export.main, "roster"),
                   help="CSV of student_id and Canvas's Student, ID, SIS User ID, SIS Login ID, Section")
    p.set_defaults(run=_export)

    p = verbs.add_parser("validate", help="run a notebook's visible checks (students)")
    p.add_argument("notebook")
    p.set_defaults(run=_validate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, FileNotFoundError) as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return 2
