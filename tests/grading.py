"""Grade named example submissions end to end, once per lab and test process.

Tests grade with the course's real course.toml except for a shorter check limit (a copy beside
symlinks to source/), so that hostile checks that loop forever cost less."""
from __future__ import annotations

import atexit
import csv
import functools
import re
import shutil
import tempfile
from pathlib import Path

from autograder import course as course_mod
from tests import corpus

# the course's own cell and notebook limits (lab 4's training cells need them); a check that loops
# forever stops sooner
TEST_LIMITS = {"check_timeout": 30}


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def build_class(cases: list[corpus.Case], folder: Path) -> Path:
    """A submissions folder with one student per case, named after the case."""
    for case in cases:
        corpus.write_submission(case, folder / case.name / case.lab)
    return folder


@functools.lru_cache(maxsize=None)
def course_toml_for_tests() -> Path:
    root = Path(tempfile.mkdtemp(prefix="course-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)  # nothing left in /tmp after the tests
    text = course_mod.COURSE_TOML.read_text()
    for key, value in TEST_LIMITS.items():
        text = re.sub(rf"^{key} = .*$", f"{key} = {value}", text, flags=re.M)
    (root / "course.toml").write_text(text)
    (root / "source").symlink_to(course_mod.ROOT / "source")
    return root / "course.toml"


def grade(submissions: Path, out: Path, **kwargs):
    from autograder.grade import pipeline

    # one kernel per test process: `make test` runs two test processes on two cores, and a third or
    # fourth kernel would only make every cell slower (lab 4's training cells near their limit)
    kwargs.setdefault("workers", 1)
    kwargs.setdefault("progress", False)
    return pipeline.main(submissions=submissions, out=out, course_toml=course_toml_for_tests(), **kwargs)


@functools.lru_cache(maxsize=None)
def graded_lab(lab: str) -> tuple[Path, dict, dict]:
    """Grade every case of `lab`: (out folder, grades rows by case, cells rows by (case, grade_id))."""
    root = Path(tempfile.mkdtemp(prefix=f"corpus-{lab}-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    build_class(corpus.cases(lab, every_lab=True), root / "submitted")
    grade(root / "submitted", root / "out", labs=[lab])
    grades = {row["student_id"]: row for row in read_csv(root / "out" / "grades.csv")}
    cells = {(row["student_id"], row["grade_id"]): row for row in read_csv(root / "out" / "cells.csv")}
    return root / "out", grades, cells
