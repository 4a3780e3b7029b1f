"""Every named example submission, graded end to end (sandboxed kernel, nbgrader, checks in the
grader): the exact score of every graded cell, the status and the flags its header promises."""
from __future__ import annotations

import pytest

from autograder import course as course_mod
from autograder.release import graded_points
from tests import corpus
from tests.grading import graded_lab

COURSE = course_mod.load()
CASES = [c for c in corpus.cases(every_lab=True) if COURSE.lab(c.lab).source_notebook().exists()]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=pytest.mark.xdist_group(c.lab)) for c in CASES])
def test_does_the_submission_score_exactly_what_its_name_says(case):
    out, grades, cells = graded_lab(case.lab)
    points = graded_points(COURSE.lab(case.lab).source_notebook())
    want = case.expected_points(points)
    got = {gid: float(cells[(case.name, gid)]["score"]) for gid in points}
    assert got == pytest.approx(want, abs=1e-3), f"{case.id}: feedback in {out / 'feedback' / case.name}"
    row = grades[case.name]
    assert row["status"] == case.expect_status
    assert float(row["score"]) == pytest.approx(sum(want.values()), abs=1e-3)
    assert sorted(f for f in row["flags"].split(";") if f) == case.expected_flags(points)


@pytest.mark.xdist_group("lab3_backprop")
def test_does_feedback_explain_a_failed_check_without_showing_hidden_code():
    out, _, _ = graded_lab("lab3_backprop")
    page = (out / "feedback" / "backward_sign_error" / "lab3_backprop.html").read_text()
    assert "backward" in page and "a sign error?" in page and "expected" in page
    for secret in ("run_here", "HIDDEN TESTS", "autograder.checks", "delta2", "def backward"):
        assert secret not in page
    blank = (out / "feedback" / "blank" / "lab3_backprop.html").read_text()
    assert "not implemented yet" in blank and f"<b>0 / {COURSE.lab('lab3_backprop').points:g}</b>" in blank
