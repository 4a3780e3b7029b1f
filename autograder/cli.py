"""The `autograder` command: a thin shell over each verb's main(), whose defaults it reads.

Every verb takes --course (default: this project's course.toml). Exit codes: 0 done (grading
exits 0 whatever the scores), 1 `validate` found a visible check that does not pass, 2 bad input
(a one-line message on stderr naming the file, the value and the fix), 3 `grade` could not run
some notebooks (their kernels could not start: status not-run; the message says why)."""
from __future__ import annotations

import argparse
import inspect
import os
import shutil
import sys
from pathlib import Path

from autograder import __version__
from autograder import course as course_mod


def _default(fn, name):
    return inspect.signature(fn).parameters[name].default


def _release(args):
    from autograder import release

    if args.solutions:
        if args.exchange:
            print(f"released {release.exchange_solutions(args.solutions, root=args.exchange_root, course_toml=args.course)}")
            return 0
        dest = args.bundle or "solutions"
        worked = release.solutions(args.solutions, dest, course_toml=args.course)
        print(f"wrote {worked}")
        if args.bundle:  # one file to upload to the LMS
            print(f"wrote {shutil.make_archive(str(dest), 'zip', root_dir=Path(dest).parent, base_dir=Path(dest).name)}")
        return 0
    if args.bundle:
        print(f"wrote {release.bundle(args.bundle, labs=args.labs or None, course_toml=args.course)}")
        return 0
    if args.exchange:
        for path in release.exchange(labs=args.labs or None, root=args.exchange_root, course_toml=args.course):
            print(f"released {path}")
        # the hub's student environments are not ours: their image must turn the tools off itself
        print(f"students' JupyterLab must not show nbgrader's instructor tools: in the hub's student image run "
              f"`python student_env.py --here` (the file is {release.student_env.__file__})")
        return 0
    for path in release.main(labs=args.labs or None, course_toml=args.course):
        print(f"released {path}")
    return 0


DEMO_WARNING = ("autograder: WARNING: {env} is not set: grading with course.toml's demo secret, so anyone "
                "who reads course.toml can predict the hidden inputs. Set {env} for a real class.")
DEMO_REFUSED = ("autograder: {env} is not set and CI is: refusing to grade a real class with course.toml's demo "
                "secret. Set {env} (a repository secret), or pass --allow-demo-secret for a demo.")


def _grade(args):
    from autograder.grade import pipeline

    course = course_mod.load(args.course)
    if course.demo_secret:
        if os.environ.get("CI") and not args.allow_demo_secret:
            print(DEMO_REFUSED.format(env=course.secret_env), file=sys.stderr)
            return 2
        print(DEMO_WARNING.format(env=course.secret_env), file=sys.stderr, flush=True)

    from autograder.kernel.boundary import SandboxUnavailable

    try:
        summary = pipeline.main(submissions=args.submissions, out=args.out, labs=args.labs or None,
                                workers=args.workers, shard=args.shard, progress=not args.quiet,
                                course_toml=args.course, sandbox=args.sandbox, students=args.students or None,
                                force=args.force, announce=lambda line: print(line, flush=True),
                                times=args.times)
    except SandboxUnavailable as exc:
        print(f"autograder grade: {exc}", file=sys.stderr)
        return 2
    except pipeline.GradingStopped as exc:
        print(f"autograder grade: {exc}", file=sys.stderr)
        return 3
    print(summary.describe())
    return 3 if summary.not_run() else 0


def _collect(args):
    from autograder import collect

    got = collect.main(zips=args.zips, lms_name=args.lms, out=args.out, roster=args.roster, lab=args.lab,
                       times=args.times, course_toml=args.course)
    if args.counts_only:  # logs others can read (CI): no names
        print(got.counts())
    else:
        print(got.describe())
    return 0 if got.complete or args.allow_unplaced else 1


def _merge(args):
    from autograder import merge

    summary = merge.main(parts=args.parts, out=args.out, course_toml=args.course)
    print(merge.describe(summary, len(args.parts)))
    return 0


def _report(args):
    from autograder import report

    print(f"wrote {report.main(out=args.out, course_toml=args.course)}")
    return 0


def _export(args):
    from autograder import export

    print(export.main(out=args.out, format=args.format, dest=args.dest, roster=args.roster,
                      course_toml=args.course, allow_ungraded=args.allow_ungraded).describe())
    return 0


def _formgrader(args):
    from autograder import formgrader

    return formgrader.main(out=args.out, port=args.port, course_toml=args.course,
                           announce=lambda line: print(line, flush=True))


def _remove(args):
    from autograder import remove

    print(remove.main(out=args.out, students=args.students, labs=args.labs or None, course_toml=args.course))
    return 0


def _validate(args):
    from autograder import validate

    timeout = validate.CELL_TIMEOUT
    if args.course is not None:
        timeout = course_mod.load(args.course).limits.cell_timeout
    return validate.main(notebook=args.notebook, cell_timeout=timeout)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autograder", description=__doc__)
    parser.add_argument("--version", action="version", version=f"autograder {__version__}")
    course = argparse.ArgumentParser(add_help=False)
    course.add_argument("--course", default=str(course_mod.COURSE_TOML), metavar="COURSE_TOML",
                        help="the course description (default: this project's course.toml)")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")

    def verb(name, help, run, parents=(course,)):
        p = verbs.add_parser(name, help=help, description=help, parents=list(parents))
        p.set_defaults(run=run)
        return p

    from autograder import release

    p = verb("release", "generate release/ from source/; hand it to students by exchange or bundle (instructors)",
             _release)
    p.add_argument("labs", nargs="*", help="lab ids (default: every lab)")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--bundle", metavar="DIR",
                     help="write a students' bundle to DIR and DIR.zip: notebooks, pinned requirements.txt, validate.py")
    how.add_argument("--exchange", action="store_true",
                     help="release through nbgrader's exchange (release_assignment), for JupyterHub courses")
    p.add_argument("--exchange-root", default=_default(release.exchange, "root"), metavar="DIR",
                   help="the exchange folder (default: nbgrader's, /srv/nbgrader/exchange)")
    p.add_argument("--solutions", metavar="LAB",
                   help="the worked notebook of LAB (no hidden checks), refused before its due date and latest "
                        "extension: to solutions/ (or --bundle DIR, or --exchange as LAB_solutions)")

    from autograder import collect

    p = verb("collect", "unpack LMS download zips into nbgrader's layout <student>/<lab>/<lab>.ipynb (TAs)", _collect)
    p.add_argument("zips", nargs="+", metavar="ZIP", help="the LMS's 'download all submissions' zip files")
    p.add_argument("--lms", required=True, choices=sorted(collect.PATTERNS), help="the LMS the zips come from")
    p.add_argument("--out", required=True, help="the submissions folder to fill (nbgrader's submitted layout)")
    p.add_argument("--roster", default=_default(collect.main, "roster"),
                   help="CSV: student_id and the LMS's column (Canvas: ID, Moodle: Full name)")
    p.add_argument("--lab", default=_default(collect.main, "lab"),
                   help="the lab of notebooks whose name and nbgrader metadata say none (default: reported)")
    p.add_argument("--times", nargs="+", metavar="FILE",
                   help="the submission times the LMS recorded: Moodle's grading worksheet, Canvas's submissions "
                        "(JSON or CSV from the API) or a CSV student_id,lab,submitted_at (default: none, every "
                        "notebook time-unknown)")
    p.add_argument("--allow-unplaced", action="store_true",
                   help="exit 0 even when some notebooks in the zips were not placed (default: exit 1)")
    p.add_argument("--counts-only", action="store_true", help="print counts, no names (for CI logs)")

    from autograder.grade import pipeline

    p = verb("grade", "grade a folder of submissions <student>/<lab>/<lab>.ipynb (TAs)", _grade)
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
    p.add_argument("--times", nargs="+", metavar="CSV",
                   help="CSV student_id,lab,submitted_at: submission times the late rule may trust, over "
                        "SUBMISSIONS/.lms/times.csv (written by collect)")
    p.add_argument("--quiet", action="store_true",
                   help="no progress (default: a bar on a terminal, else one line per finished notebook)")
    p.add_argument("--allow-demo-secret", action="store_true",
                   help="grade with course.toml's demo secret even in CI (demos and tests only)")
    p.add_argument("--sandbox", choices=("required", "auto", "off"), default="auto",
                   help="bubblewrap around each kernel: required (refuse without it; CI), auto (use it where it "
                        "works, else say so and flag each row no-sandbox) or off")

    p = verb("merge", "join the outputs of `grade --shard K/N` into one class (TAs)", _merge)
    p.add_argument("parts", nargs="+", help="the --out folders of the shards")
    p.add_argument("--out", required=True, help="the merged folder: grades.csv, cells.csv, gradebook.db, feedback/")

    from autograder import export

    p = verb("report", "write OUT/report.html: score histograms and item analysis (instructors)", _report)
    p.add_argument("out", help="the --out folder of `autograder grade`")

    p = verb("export", "write a grade file for Canvas, Moodle or a plain csv, late rule applied (TAs)", _export)
    p.add_argument("out", help="the --out folder of `autograder grade`")
    p.add_argument("--format", choices=sorted(export.FORMATS), default=_default(export.main, "format"),
                   help="canvas: Canvas's gradebook import CSV (needs canvas_id per lab in course.toml); "
                        "moodle: Moodle's grade import CSV; csv: student_id, one column per lab, total")
    p.add_argument("--dest", default=_default(export.main, "dest"),
                   help="the file to write (default: OUT/canvas.csv, OUT/moodle.csv or OUT/grades_export.csv)")
    p.add_argument("--roster", default=_default(export.main, "roster"),
                   help="CSV of student_id and the LMS's identity columns (Canvas: Student, ID, SIS User ID, "
                        "SIS Login ID, Section; Moodle: Email address, Username, ID number)")
    p.add_argument("--allow-ungraded", action="store_true",
                   help="export even while written answers wait for a TA (needs-manual-grade; they score 0)")

    p = verb("formgrader", "hand-grade the class: JupyterLab with formgrader in OUT on 127.0.0.1 (TAs)", _formgrader)
    p.add_argument("out", help="the --out folder of `autograder grade`")
    p.add_argument("--port", type=int, default=None, help="the port to listen on (default: a free one)")

    p = verb("remove", "take students' graded notebooks out of a class folder, explicitly (TAs)", _remove)
    p.add_argument("out", help="the --out folder of `autograder grade`")
    p.add_argument("--students", nargs="+", required=True, help="the students to remove")
    p.add_argument("--labs", nargs="*", help="only these labs of theirs (default: every lab)")

    p = verb("validate", "run a notebook's visible checks (students)", _validate, parents=())
    p.add_argument("notebook")
    p.add_argument("--course", default=None, metavar="COURSE_TOML",
                   help="take the cell time limit from this course (default: none needed, 30 s a cell)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, FileNotFoundError) as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return 2
