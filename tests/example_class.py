"""The bundled example class for `make demo`: four students built from the named submissions.

    ada_full_marks    every lab right
    ben_partly_right  one typical bug per lab
    cleo_blank        every lab handed in unchanged
    dev_broken        every notebook truncated on upload (not a readable notebook)

Each handed in an hour before the due date, as the LMS recorded it (SUBMISSIONS/.lms/times.csv, what
`autograder collect --times` writes).

Usage: python -m tests.example_class FOLDER
"""
from __future__ import annotations

import dataclasses
import sys
from datetime import timedelta
from pathlib import Path

from autograder import course as course_mod
from autograder import submission_times
from tests import corpus


def _pick(lab: str, name: str) -> corpus.Case:
    cases = {c.name: c for c in corpus.cases(lab)}
    if name != "partly":
        return cases[name]
    # the first typical bug: some cells fail, not all, and the notebook runs normally
    bugs = [c for c in cases.values() if c.expect_failing and c.base == "solution" and not c.mutate
            and c.expect_status == "ok"]
    return sorted(bugs, key=lambda c: c.name)[0]


STUDENTS = {"ada_full_marks": "right", "ben_partly_right": "partly", "cleo_blank": "blank", "dev_broken": "right"}


def main(folder: str) -> None:
    course = course_mod.load()
    labs = [lab.id for lab in course.labs if lab.release_notebook().exists()
            and {"right", "blank"} <= {c.name for c in corpus.cases(lab.id)}]
    root = Path(folder)
    for student, kind in STUDENTS.items():
        for lab in labs:
            case = _pick(lab, kind)
            if student == "dev_broken":
                case = dataclasses.replace(case, mutate=["truncate"])
            corpus.write_submission(case, root / student / lab)
    submission_times.write_store(root, {(s, lab): submission_times.Trusted(
        when=course.lab(lab).due - timedelta(hours=1), lms_late=False, source="the LMS (example)")
        for s in STUDENTS for lab in labs})
    print(f"example class: {len(STUDENTS)} students x {len(labs)} labs in {root}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "build/demo/submitted")
