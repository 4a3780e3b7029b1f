"""A tiny lab 3 class, graded once, then reported on and exported; every fact asserted exactly.

- on_time_backward_zero: backward returns zero gradients, an hour before the due date: 9 of 20
  autograded points;
- late_one_day_solution: the instructor's solutions, 10 h after the due date: 20 less a tenth of
  the lab's points (P, course.toml's: 20, or 25 once the lab has its written answers, ungraded: 0);
- late_nine_days_backward_doubled: backward twice the true gradient, sgd_step raises with HTML in
  its message; 8 days and a minute late (9 started days, more than max_days = 7): 7 -> 0.
"""
from __future__ import annotations

import csv
import html
from pathlib import Path

import pytest

from autograder import course as course_mod
from autograder import export, report
from autograder.grade import lateness, tables
from tests import corpus

pytestmark = pytest.mark.xdist_group("report_and_export")  # one worker grades the class once

LAB = "lab3_backprop"
P = course_mod.load().lab(LAB).points
LATE = f"{20 - 0.1 * P:g}"  # late_one_day_solution's final score
BACKWARD_ZERO = '''def backward(params, cache, T):
    return {k: np.zeros_like(v) for k, v in params.items()}
'''
BACKWARD_DOUBLED = '''def backward(params, cache, T):
    X, H, Y = cache["X"], cache["H"], cache["Y"]
    d2 = 2 * (Y - T) * Y * (1 - Y)
    d1 = (d2 @ params["W2"]) * H * (1 - H)
    return {"W1": d1.T @ X, "b1": d1.sum(0), "W2": d2.T @ H, "b2": d2.sum(0)}
'''
SGD_RAISES = '''def sgd_step(params, grads, lr):
    raise ValueError("<script>alert('x')</script> & co")
'''
STUDENTS = {
    "on_time_backward_zero": ({"solution_backward": BACKWARD_ZERO}, "2026-12-18 22:59:00.000000 UTC"),
    "late_one_day_solution": ({}, "2026-12-19 10:00:00.000000 UTC"),
    "late_nine_days_backward_doubled": ({"solution_backward": BACKWARD_DOUBLED, "solution_sgd_step": SGD_RAISES},
                                        "2026-12-27 00:00:00.000000 UTC"),
}


def _rows(path: Path) -> list[list[str]]:
    with open(path, newline="") as f:
        return list(csv.reader(f))


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Path:
    from autograder.grade import pipeline

    root = tmp_path_factory.mktemp("class")
    for student, (cells, _) in STUDENTS.items():
        case = corpus.Case(lab=LAB, name=student, path=Path(f"{student}.py"), cells=cells, base="solution")
        corpus.write_submission(case, root / "submitted" / student / LAB)
    # the times the LMS recorded (what `autograder collect --times` writes), not timestamp.txt
    recorded = root / "lms_times.csv"
    recorded.write_text("student_id,lab,submitted_at\n" + "".join(
        f"{s},{LAB},{t.replace(' UTC', '+00:00')}\n" for s, (_, t) in STUDENTS.items()))
    pipeline.main(submissions=root / "submitted", out=root / "out", labs=[LAB], workers=3, progress=False,
                  times=[recorded])
    return root / "out"


def test_are_the_scores_before_penalties_what_the_notebooks_earned(graded):
    scores = {r["student"]: r["score"] for r in tables.read_results(graded)}
    # train and train_xor keep their points whatever backward does (error carried forward)
    assert scores == {"on_time_backward_zero": 14.0, "late_one_day_solution": 20.0,
                      "late_nine_days_backward_doubled": 12.0}


def test_is_every_flag_and_status_in_grades_csv_a_word_the_grader_names(graded):
    from autograder.grade.result import Flag, Status

    rows = [dict(zip(r[0], row)) for r in [_rows(graded / "grades.csv")] for row in r[1:]]
    flags = {f for row in rows for f in row["flags"].split(";") if f}
    assert {"late", "needs-manual-grade"} <= flags <= {f.value for f in Flag}
    assert {row["status"] for row in rows} <= {s.value for s in Status}


def test_does_the_item_analysis_give_exact_pass_rates_and_group_the_backward_failures(graded):
    items = {item.grade_id: item for item in report.item_analysis(tables.read_results(graded))}
    assert list(items) == ["init_params", "forward", "loss", "backward", "sgd_step", "train", "train_xor"]
    assert (items["forward"].passed, items["forward"].attempts, items["forward"].pass_rate) == (3, 3, 1.0)
    backward = items["backward"]
    assert (backward.passed, backward.attempts) == (1, 3)
    assert backward.mean_score == pytest.approx(2.0)
    # Two students, two different wrong entries and values: one group, counted twice.
    assert [(group, count) for group, count, _ in backward.common_messages()] == [("W1 is wrong at entry", 2)]
    assert [(group, count) for group, count, _ in items["sgd_step"].common_messages()] == [("raised ValueError", 1)]
    assert items["train_xor"].pass_rate == pytest.approx(1.0)  # right given each student's own backward


def test_does_message_group_keep_names_and_drop_numbers():
    assert report.message_group("train for 1 epochs with lr=0.78: params: W2 is wrong at entry (0, 1): "
                                "expected 3.3, got 3.4") == "W2 is wrong at entry"
    assert report.message_group("train on XOR (4 hidden units): final loss 0.552, expected below 0.05") == "final loss #"
    assert report.message_group("init_params(2, 2, 1, rng): not implemented yet (it raises NotImplementedError)") \
        == "not implemented yet"
    assert report.message_group("no notebook submitted") == "no notebook submitted"


def test_is_the_report_one_page_with_histogram_and_escaped_student_text(graded):
    path = report.main(out=graded)
    page = path.read_text()
    assert path == graded / "report.html"
    assert page.count('src="data:image/png;base64,') == 1
    assert "<script>" not in page
    assert html.escape("<script>alert('x')</script> & co") in page
    assert "<b>2</b> &times; W1 is wrong at entry" in page
    assert "<tr><td>late (any status)</td><td class='num'>2</td></tr>" in page
    assert "<tr><td>ok</td><td class='num'>3</td></tr>" in page


def _with_canvas_id(tmp_path: Path) -> Path:
    """The course with lab 3's Canvas assignment id (Canvas fills `Title (id)` only for its numeric id)."""
    text = course_mod.COURSE_TOML.read_text().replace('id = "lab3_backprop"', 'id = "lab3_backprop"\ncanvas_id = 3003')
    (tmp_path / "course.toml").write_text(text)
    (tmp_path / "source").symlink_to(course_mod.ROOT / "source")
    return tmp_path / "course.toml"


def test_does_the_canvas_csv_carry_points_possible_and_the_penalised_scores(graded, tmp_path):
    result = export.main(out=graded, format="canvas", course_toml=_with_canvas_id(tmp_path), allow_ungraded=True)
    assert result.path == graded / "canvas.csv"
    assert _rows(result.path) == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Backprop in a three-layer network (3003)"],
        ["Points Possible", "", "", "", "", f"{P:g}"],
        ["", "", "", "late_nine_days_backward_doubled", "", "0"],
        ["", "", "", "late_one_day_solution", "", LATE],
        ["", "", "", "on_time_backward_zero", "", "14"],
    ]
    assert [(late.student, late.days, late.score, late.penalised) for late in result.late] == [
        ("late_nine_days_backward_doubled", 9, 12.0, 0.0), ("late_one_day_solution", 1, 20.0, pytest.approx(20 - 0.1 * P))]
    assert result.late[1].seconds == 10 * 3600 + 60


def test_does_a_roster_fill_canvas_identity_columns(graded, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,Student,ID,SIS User ID,SIS Login ID,Section\n"
                      "late_one_day_solution,\"Doe, Jane\",4242,S001,jdoe,Section 2\n")
    result = export.main(out=graded, format="canvas", roster=roster, dest=tmp_path / "c.csv",
                         course_toml=_with_canvas_id(tmp_path), allow_ungraded=True)
    rows = _rows(result.path)
    assert rows[3] == ["Doe, Jane", "4242", "S001", "jdoe", "Section 2", LATE]
    assert rows[4] == ["", "", "", "on_time_backward_zero", "", "14"]
    assert result.warnings == [
        "late_nine_days_backward_doubled: graded but not in the roster: matched by student id alone, check the row",
        "on_time_backward_zero: graded but not in the roster: matched by student id alone, check the row"]


def test_does_the_plain_csv_have_one_column_per_lab_and_a_total(graded):
    path = export.main(out=graded, format="csv", allow_ungraded=True).path
    assert path == graded / "grades_export.csv"
    assert _rows(path) == [["student_id", "lab3_backprop", "total"],
                           ["late_nine_days_backward_doubled", "0", "0"],
                           ["late_one_day_solution", LATE, LATE],
                           ["on_time_backward_zero", "14", "14"]]


def test_does_the_late_rule_charge_per_started_day_and_zero_beyond_max_days():
    course = course_mod.load()
    # due: 2026-12-18T23:59:00+00:00; P points, 0.1 of them a day, 7 days at most
    result = {"student": "s", "lab": LAB, "score": 15.0}
    at = lambda text: lateness.late_rule(dict(result, timestamp=text), course)  # noqa: E731
    assert at("2026-12-18 23:59:00.000000 UTC").penalised == 15.0  # on the minute: on time
    assert at("2026-12-18 23:59:01.000000 UTC").penalised == pytest.approx(15 - 0.1 * P)  # one second: one started day
    assert at("2026-12-20 00:00:00.000000 UTC").penalised == pytest.approx(15 - 0.2 * P)  # 24 h 1 min: two days
    assert at("2026-12-25 23:59:00.000000 UTC").penalised == pytest.approx(max(0.0, 15 - 0.7 * P))  # exactly 7 days
    assert at("2026-12-25 23:59:01.000000 UTC").penalised == 0.0  # beyond max_days
    assert at("2026-12-19 00:59:00.000000 CET").penalised == 15.0  # another zone, on time
    assert lateness.late_rule(dict(result, timestamp=None, seconds_late=90000.0), course).days == 2
    unreadable = at("yesterday-ish")
    assert (unreadable.penalised, unreadable.days) == (15.0, 0) and "unreadable timestamp" in unreadable.problem
    assert lateness.late_rule(dict(result, score=1.0, timestamp="2026-12-19 10:00:00 UTC"), course).penalised == 0.0


def test_does_the_item_analysis_leave_written_answers_out():
    cells = [{"grade_id": "backward", "score": 0.0, "max_score": 6.0, "message": "backward: W1 is wrong at entry (1, 0)"},
             {"grade_id": "reflection_1", "score": 0.0, "max_score": 5.0, "manual": True, "message": "graded by a TA"}]
    items = report.item_analysis([{"status": "ok", "cells": cells}])
    assert [(item.grade_id, item.attempts, item.passed) for item in items] == [("backward", 1, 0)]
