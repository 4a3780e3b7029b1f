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

    summary = pipeline.main(submissions=args.submissions, out=args.out, labs=args.labs or None,
                            workers=args.workers, shard=args.shard, progress=not args.quiet)
    print(summary.describe())
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
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=_grade)

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
