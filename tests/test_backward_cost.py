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
# numerical derivatives as fast as backprop on small networks: caught by the units test alone
FAST_NUMERICAL = ("backward_numerical_per_unit_complex_step", "backward_numerical_vectorised_around_cache")


def grade_beside_two_busy_processes(names: tuple, folder):
    """Grade the named lab 3 cases while two processes keep both cores busy (the cost check
    compares times taken under the same load): (cases, points, grades rows, cells rows)."""
    cases = [c for c in corpus.cases(LAB) if c.name in names]
    assert sorted(c.name for c in cases) == sorted(names)
    build_class(cases, folder / "submitted")
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        grade(folder / "submitted", folder / "out", labs=[LAB])
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
    points = graded_points(COURSE.lab(LAB).source_notebook())
    grades = {row["student_id"]: row for row in read_csv(folder / "out" / "grades.csv")}
    cells = {(row["student_id"], row["grade_id"]): row for row in read_csv(folder / "out" / "cells.csv")}
    return cases, points, grades, cells


@pytest.mark.xdist_group(LAB)
def test_does_slow_but_correct_backprop_earn_full_marks_beside_two_busy_processes(tmp_path):
    cases, points, grades, cells = grade_beside_two_busy_processes(SLOW_BUT_RIGHT, tmp_path)
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


@pytest.mark.xdist_group(LAB)
def test_does_numerical_differentiation_as_fast_as_backprop_earn_nothing_beside_two_busy_processes(tmp_path):
    cases, points, grades, cells = grade_beside_two_busy_processes(FAST_NUMERICAL, tmp_path)
    for case in cases:
        want = case.expected_points(points)
        got = {gid: float(cells[(case.name, gid)]["score"]) for gid in points}
        assert got == pytest.approx(want, abs=1e-3), case.name
        assert want["backward"] == 0
        flags = sorted(f for f in grades[case.name]["flags"].split(";") if f)
        assert flags == case.expected_flags(points), case.name
        assert "gradient-method-unclear" not in flags, case.name
        # the student is told what was measured: the times on the units test
        page = (tmp_path / "out" / "feedback" / case.name / f"{LAB}.html").read_text()
        assert "its time per parameter on the" in page and "1,250 hidden units" in page, case.name
