"""Grade named example submissions end to end, once per lab and test process."""
from __future__ import annotations

import csv
import functools
import tempfile
from pathlib import Path

from tests import corpus


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def build_class(cases: list[corpus.Case], folder: Path) -> Path:
    """A submissions folder with one student per case, named after the case."""
    for case in cases:
        corpus.write_submission(case, folder / case.name / case.lab)
    return folder


@functools.lru_cache(maxsize=None)
def graded_lab(lab: str, secret: str | None = None) -> tuple[Path, dict, dict]:
    """Grade every case of `lab`: (out folder, grades rows by case, cells rows by (case, grade_id))."""
    from autograder.grade import pipeline

    root = Path(tempfile.mkdtemp(prefix=f"corpus-{lab}-"))
    cases = corpus.cases(lab)
    build_class(cases, root / "submitted")
    pipeline.main(submissions=root / "submitted", out=root / "out", labs=[lab], workers=2, progress=False,
                  secret=secret)
    grades = {row["student_id"]: row for row in read_csv(root / "out" / "grades.csv")}
    cells = {(row["student_id"], row["grade_id"]): row for row in read_csv(root / "out" / "cells.csv")}
    return root / "out", grades, cells
