"""How backward is judged by its cost (autograder/checks/cost.py): slow but correct backprop earns
its points on a busy machine, and the row says what a TA should read."""
from __future__ import annotations

import subprocess
import sys

import pytest

from autograder import course as course_mod
from autograder.release import graded_points
from tests import corpus
from tests.grading import build_class, grade, read_csv

COURSE = course_mod.load()
LAB = "lab3_backprop"
SLOW_BUT_RIGHT = ("backward_scalar_autodiff", "backward_python_loops_every_weight")


@pytest.mark.xdist_group(LAB)
def test_does_slow_but_correct_backprop_earn_full_marks_beside_two_busy_processes(tmp_path):
    cases = [c for c in corpus.cases(LAB) if c.name in SLOW_BUT_RIGHT]
    assert sorted(c.name for c in cases) == sorted(SLOW_BUT_RIGHT)
    build_class(cases, tmp_path / "submitted")
    # two processes that keep both cores busy for the whole grading (the kernel and the grader share
    # what is left): the cost check compares times taken under the same load
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        grade(tmp_path / "submitted", tmp_path / "out", labs=[LAB])
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
    points = graded_points(COURSE.lab(LAB).source_notebook())
    grades = {row["student_id"]: row for row in read_csv(tmp_path / "out" / "grades.csv")}
    cells = {(row["student_id"], row["grade_id"]): row for row in read_csv(tmp_path / "out" / "cells.csv")}
    for case in cases:
        want = case.expected_points(points)
        got = {gid: float(cells[(case.name, gid)]["score"]) for gid in points}
        assert got == pytest.approx(want, abs=1e-3), case.name
        assert want["backward"] == points["backward"]
        flags = sorted(f for f in grades[case.name]["flags"].split(";") if f)
        assert flags == case.expected_flags(points), case.name
    # what the TA is told stays off the student's page
    page = (tmp_path / "out" / "feedback" / "backward_scalar_autodiff" / f"{LAB}.html").read_text()
    assert "gradient-method-unclear" not in page and "points given" not in page
