"""The TA's loop on one small lab 3 class, graded once: the gradebook as the one truth, lateness
that agrees everywhere, manual grades that survive a regrade, feedback through nbgrader's exchange.

The class uses a course of its own (a temporary copy): lab 3's source notebook with a written
answer (an nbgrader manually graded markdown cell; the lab's own `reflection_*` cells when it has
them), and an extensions file. Its five students:

- ada_late: the solutions, 10 h 1 min after the due date: one started day late;
- ben_extended: the solutions, 2.5 days after the due date, within his extension;
- cleo_bad_timestamp: the solutions, a timestamp.txt that says "sometime on friday" and no time the
  LMS recorded: time-unknown, no penalty;
- dev_backward_zero: backward returns zeros, on time: 14 of 20 (backward's 6 points; train and
  train_xor keep theirs by error carried forward);
- erin_exchange: the solutions, handed in with `nbgrader submit` and collected with `nbgrader collect`
  through a temporary exchange, before the due date: time-unknown (the exchange's times are the
  student's own, autograder/submission_times.py).

The others' times are what the LMS recorded, given to grade as a CSV student_id,lab,submitted_at
(their timestamp.txt, written as `nbgrader submit` would, says the same and is not read).

Nobody's written answer is graded yet: each row is flagged needs-manual-grade, the answer scores 0.
"""
from __future__ import annotations

import csv
import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder import course as course_mod
from autograder import export
from autograder.grade import pipeline
from autograder.grade.lateness import read_extensions
from tests.corpus import solution_code
from tests.grading import TEST_LIMITS

pytestmark = pytest.mark.xdist_group("ta_loop")  # one worker grades the class once

LAB = "lab3_backprop"
BACKWARD_ZERO = '''def backward(params, cache, T):
    return {k: np.zeros_like(v) for k, v in params.items()}
'''
TIMESTAMPS = {"ada_late": "2026-12-19 10:00:00.000000 UTC", "ben_extended": "2026-12-21 12:00:00.000000 UTC",
              "cleo_bad_timestamp": "sometime on friday", "dev_backward_zero": "2026-12-18 12:00:00.000000 UTC"}
EXTENSIONS = "student_id,lab,due\nben_extended,lab3_backprop,2026-12-22T23:59:00+00:00\n"
ANSWER = "Backprop needs the transpose of the forward weights; a neuron has no such wire."
NBGRADER = Path(sys.executable).parent / "nbgrader"
COURSE_ID = course_mod.load().id


def _rows(path: Path) -> list[list[str]]:
    with open(path, newline="") as f:
        return list(csv.reader(f))


def _written_answers(nb) -> list[tuple[str, float]]:
    return [(c.metadata["nbgrader"]["grade_id"], float(c.metadata["nbgrader"]["points"])) for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade") and c.metadata["nbgrader"].get("solution")]


def make_course(root: Path) -> Path:
    """A copy of the course whose lab 3 has a written answer and an extensions file."""
    text = course_mod.COURSE_TOML.read_text()
    for key, value in TEST_LIMITS.items():
        text = text.replace(f"\n{key} = ", f"\n{key} = {value}\n# was: ", 1)
    source = nbformat.read(course_mod.ROOT / "source" / LAB / f"{LAB}.ipynb", as_version=4)
    if not _written_answers(source):  # until the labs gain their reflections (LABS.md)
        cell = nbformat.v4.new_markdown_cell("YOUR ANSWER HERE")
        cell.metadata["nbgrader"] = {"grade": True, "solution": True, "locked": False, "points": 5,
                                     "grade_id": "reflection_1", "schema_version": 3}
        source.cells.append(cell)
    points = sum(float(c.metadata["nbgrader"].get("points", 0)) for c in source.cells
                 if c.metadata.get("nbgrader", {}).get("grade"))
    lab_block = text.index(f'id = "{LAB}"')
    start = text.index("points = ", lab_block)
    end = text.index("\n", start)
    text = text[:start] + f"points = {points:g}\ncanvas_id = 3003" + text[end:]  # the export fills this assignment
    text = text.replace("max_days = 7\n", 'max_days = 7\nextensions = "extensions.csv"\n')
    (root / "course.toml").write_text(text)
    (root / "extensions.csv").write_text(EXTENSIONS)
    shutil.copytree(course_mod.ROOT / "source" / LAB, root / "source" / LAB)
    nbformat.write(source, root / "source" / LAB / f"{LAB}.ipynb")
    for other in sorted((course_mod.ROOT / "source").iterdir()):  # course.toml names every lab's folder
        if other.is_dir() and other.name != LAB:
            (root / "source" / other.name).symlink_to(other)
    return root / "course.toml"


def submission(course_toml: Path, cells: dict[str, str] | None = None, answer: str = ANSWER):
    """The student's notebook: the course's, with the solutions, these cells and a written answer."""
    nb = nbformat.read(course_toml.parent / "source" / LAB / f"{LAB}.ipynb", as_version=4)
    code = dict(solution_code(LAB), **(cells or {}))
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id") in code and cell.cell_type == "code":
            cell.source = code[meta["grade_id"]]
        elif meta.get("grade") and meta.get("solution"):
            cell.source = answer
    return nb


def _exchange_config(course_toml: Path, exchange: Path, **paths):
    from traitlets.config import Config

    cfg = Config()
    cfg.CourseDirectory.course_id = course_mod.load(course_toml).id
    cfg.CourseDirectory.assignment_id = LAB
    cfg.Exchange.root = str(exchange)
    cfg.Application.log_level = "CRITICAL"
    for key, value in paths.items():
        section, name = key.split("__")
        setattr(getattr(cfg, section), name, value)
    return cfg


def _run(cls, cfg):
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory

    cls(coursedir=CourseDirectory(config=cfg), authenticator=Authenticator(config=cfg), config=cfg).start()


def submit_through_exchange(course_toml: Path, root: Path, student: str, submitted: Path) -> None:
    """nbgrader's own release_assignment, submit (as the student) and collect (into submitted/)."""
    from nbgrader.exchange.default import ExchangeCollect, ExchangeReleaseAssignment, ExchangeSubmit

    exchange = root / "exchange"
    exchange.mkdir()
    release = root / "release"
    (release / LAB).mkdir(parents=True)
    nbformat.write(submission(course_toml, answer="YOUR ANSWER HERE"), release / LAB / f"{LAB}.ipynb")
    _run(ExchangeReleaseAssignment, _exchange_config(
        course_toml, exchange, CourseDirectory__root=str(root), CourseDirectory__release_directory=str(release)))
    home = root / student
    (home / LAB).mkdir(parents=True)
    nbformat.write(submission(course_toml), home / LAB / f"{LAB}.ipynb")
    _run(ExchangeSubmit, _exchange_config(course_toml, exchange, CourseDirectory__student_id=student,
                                          Exchange__assignment_dir=str(home), Exchange__cache=str(root / "cache")))
    _run(ExchangeCollect, _exchange_config(
        course_toml, exchange, CourseDirectory__root=str(root), CourseDirectory__submitted_directory=str(submitted),
        CourseDirectory__db_url=f"sqlite:///{root / 'collect.db'}"))


@pytest.fixture(scope="module")
def course_toml(tmp_path_factory) -> Path:
    return make_course(tmp_path_factory.mktemp("course"))


@pytest.fixture(scope="module")
def graded(tmp_path_factory, course_toml) -> Path:
    root = tmp_path_factory.mktemp("class")
    submitted = root / "submitted"
    for student, timestamp in TIMESTAMPS.items():
        folder = submitted / student / LAB
        folder.mkdir(parents=True)
        cells = {"solution_backward": BACKWARD_ZERO} if student == "dev_backward_zero" else {}
        nbformat.write(submission(course_toml, cells), folder / f"{LAB}.ipynb")
        (folder / "timestamp.txt").write_text(timestamp + "\n")
    submit_through_exchange(course_toml, root, "erin_exchange", submitted)
    recorded = root / "lms_times.csv"
    recorded.write_text("student_id,lab,submitted_at\n" + "".join(
        f"{s},{LAB},{t.replace(' UTC', '+00:00')}\n" for s, t in TIMESTAMPS.items() if t[0].isdigit()))
    pipeline.main(submissions=submitted, out=root / "out", labs=[LAB], workers=2, progress=False,
                  course_toml=course_toml, times=[recorded])
    return root / "out"


def _points(course_toml: Path) -> float:
    return course_mod.load(course_toml).lab(LAB).points


def test_do_grades_csv_carry_raw_score_penalty_final_and_flags(graded, course_toml):
    p = _points(course_toml)  # 25: 20 autograded + the written answers
    late = 0.1 * p
    assert (graded / "grades.csv").read_text() == (
        "student_id,lab,score,penalty,final,max_score,status,flags\n"
        f"ada_late,{LAB},20,{late:g},{20 - late:g},{p:g},ok,late;needs-manual-grade\n"
        f"ben_extended,{LAB},20,0,20,{p:g},ok,needs-manual-grade\n"
        f"cleo_bad_timestamp,{LAB},20,0,20,{p:g},ok,needs-manual-grade;time-unknown\n"
        f"dev_backward_zero,{LAB},14,0,14,{p:g},ok,needs-manual-grade\n"
        f"erin_exchange,{LAB},20,0,20,{p:g},ok,needs-manual-grade;time-unknown\n")
    answers = [row for row in _rows(graded / "cells.csv") if row[0] == "ada_late" and row[2].startswith("reflection")]
    assert answers and all(row[3] == "0" for row in answers)


def test_does_the_canvas_export_carry_the_same_final_scores(graded, course_toml):
    p = _points(course_toml)
    result = export.main(out=graded, format="canvas", course_toml=course_toml, allow_ungraded=True)
    assert _rows(result.path)[2:] == [
        ["", "", "", "ada_late", "", f"{20 - 0.1 * p:g}"],
        ["", "", "", "ben_extended", "", "20"],
        ["", "", "", "cleo_bad_timestamp", "", "20"],
        ["", "", "", "dev_backward_zero", "", "14"],
        ["", "", "", "erin_exchange", "", "20"]]
    assert [(late.student, late.days, late.penalty) for late in result.late] == [
        ("ada_late", 1, 0.1 * p), ("cleo_bad_timestamp", 0, 0.0), ("erin_exchange", 0, 0.0)]
    assert result.late[1].describe() == ("cleo_bad_timestamp lab3_backprop: no submission time the LMS recorded: "
                                         "no penalty computed, for a TA to settle (time-unknown)")
    assert result.describe().splitlines()[-1] == ("2 rows time-unknown: no submission time the LMS recorded, no "
                                                  "late penalty computed: a TA settles each (see grades.csv flags)")


def test_do_the_feedback_pages_say_the_penalty_the_extension_and_the_timestamp(graded, course_toml):
    p = _points(course_toml)
    ada = (graded / "feedback" / "ada_late" / f"{LAB}.html").read_text()
    assert f"<b>{20 - 0.1 * p:g} / {p:g}</b> points (20 before the late penalty of {0.1 * p:g})" in ada
    assert "submitted 10.0 h after the due date 2026-12-18 23:59 UTC: 1 started day late" in ada
    assert "waiting for a TA" in ada
    ben = (graded / "feedback" / "ben_extended" / f"{LAB}.html").read_text()
    assert f"<b>20 / {p:g}</b> points." in ben and "extension to 2026-12-22 23:59 UTC: on time" in ben
    cleo = (graded / "feedback" / "cleo_bad_timestamp" / f"{LAB}.html").read_text()
    assert f"<b>20 / {p:g}</b> points." in cleo
    assert ("no late penalty computed, for a TA to settle; its timestamp.txt (written by the student&#x27;s own "
            "nbgrader submit) says &#x27;sometime on friday&#x27;, not trusted") in cleo


def test_does_the_gradebook_hold_due_dates_extensions_and_penalties(graded, course_toml):
    from nbgrader.api import Gradebook

    p = _points(course_toml)
    with Gradebook(f"sqlite:///{graded / 'gradebook.db'}", COURSE_ID) as gb:
        assert str(gb.find_assignment(LAB).duedate) == "2026-12-18 23:59:00"
        ben = gb.find_submission(LAB, "ben_extended")
        assert (str(ben.duedate), ben.total_seconds_late) == ("2026-12-22 23:59:00", 0)
        ada = gb.find_submission(LAB, "ada_late")
        assert (ada.total_seconds_late, ada.late_submission_penalty, ada.score) == (36060.0, 0.1 * p, 20.0)
        assert gb.find_submission(LAB, "cleo_bad_timestamp").timestamp is None


def test_do_nbgrader_db_and_export_run_in_the_output_folder_with_no_flags(graded, course_toml):
    p = _points(course_toml)
    env = dict(os.environ, PATH=f"{NBGRADER.parent}:{os.environ['PATH']}")
    listed = subprocess.run([str(NBGRADER), "db", "student", "list"], cwd=graded, env=env, capture_output=True,
                            text=True, check=True)
    assert [line.split()[0] for line in listed.stdout.splitlines()[1:] if line.strip()] == [
        "ada_late", "ben_extended", "cleo_bad_timestamp", "dev_backward_zero", "erin_exchange"], listed
    grades_before = (graded / "grades.csv").read_text()
    subprocess.run([str(NBGRADER), "export"], cwd=graded, env=env, capture_output=True, check=True)
    assert (graded / "grades.csv").read_text() == grades_before  # nbgrader's file goes beside ours
    rows = {r["student_id"]: r for r in csv.DictReader(open(graded / "nbgrader_grades.csv"))}
    assert {s: (float(r["raw_score"]), float(r["late_submission_penalty"]), float(r["score"]), float(r["max_score"]))
            for s, r in rows.items()} == {
        "ada_late": (20.0, 0.1 * p, 20 - 0.1 * p, p), "ben_extended": (20.0, 0.0, 20.0, p),
        "cleo_bad_timestamp": (20.0, 0.0, 20.0, p), "dev_backward_zero": (14.0, 0.0, 14.0, p),
        "erin_exchange": (20.0, 0.0, 20.0, p)}


def test_does_every_graded_notebook_stay_in_nbgrader_layout_with_its_verdicts(graded):
    nb = nbformat.read(graded / "autograded" / "dev_backward_zero" / LAB / f"{LAB}.ipynb", as_version=4)
    backward = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "backward"][0]
    assert backward.outputs[0]["ename"] == "CheckFailed" and "is wrong" in backward.outputs[0]["evalue"]
    assert sorted(p.name for p in (graded / "autograded").iterdir()) == sorted(list(TIMESTAMPS) + ["erin_exchange"])


def test_does_feedback_reach_the_student_through_the_exchange(graded, course_toml, tmp_path):
    from nbgrader.exchange.default import ExchangeFetchFeedback

    root = graded.parent
    env = dict(os.environ, PATH=f"{NBGRADER.parent}:{os.environ['PATH']}")
    released = subprocess.run([str(NBGRADER), "release_feedback", LAB, f"--Exchange.root={root / 'exchange'}"],
                              cwd=graded, env=env, capture_output=True, text=True)
    assert released.returncode == 0, released.stderr
    _run(ExchangeFetchFeedback, _exchange_config(
        course_toml, root / "exchange", CourseDirectory__student_id="erin_exchange",
        Exchange__assignment_dir=str(root / "erin_exchange"), Exchange__cache=str(root / "cache")))
    fetched = list((root / "erin_exchange" / LAB / "feedback").glob(f"*/{LAB}.html"))
    assert len(fetched) == 1
    assert fetched[0].read_text() == (graded / "feedback" / "erin_exchange" / f"{LAB}.html").read_text()


def _grade_by_hand(out: Path, student: str, scores: dict[str, float], comments: dict[str, str]) -> None:
    """What formgrader does when a TA types a score or a comment (its API handlers)."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{out / 'gradebook.db'}", COURSE_ID) as gb:
        nb = gb.find_submission_notebook(LAB, LAB, student)
        for grade in nb.grades:
            if grade.name in scores:
                grade.manual_score = scores[grade.name]
                grade.needs_manual_grade = False
        for comment in nb.comments:
            if comment.name in comments:
                comment.manual_comment = comments[comment.name]
        gb.db.commit()


def test_do_manual_grades_reach_every_table_and_survive_a_regrade_of_unchanged_cells(graded, course_toml, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(graded, out)
    submitted = graded.parent / "submitted"
    p = _points(course_toml)
    answers = _written_answers(nbformat.read(course_toml.parent / "source" / LAB / f"{LAB}.ipynb", as_version=4))
    by_hand = {"backward": 4.5, answers[0][0]: answers[0][1] - 2}
    by_hand.update({gid: pts for gid, pts in answers[1:]})
    _grade_by_hand(out, "dev_backward_zero", by_hand, {"solution_backward": "zeros: you never read the cache"})
    raw = 14 + 4.5 + p - 20 - 2  # 4.5 for backward, the written answers less 2

    def dev_row():
        return [r for r in _rows(out / "grades.csv") if r[0] == "dev_backward_zero"][0]

    canvas = _rows(export.main(out=out, format="canvas", course_toml=course_toml, allow_ungraded=True).path)
    assert [r for r in canvas if r[3] == "dev_backward_zero"][0][-1] == f"{raw:g}"
    assert dev_row() == ["dev_backward_zero", LAB, f"{raw:g}", "0", f"{raw:g}", f"{p:g}", "ok", ""]
    page = (out / "feedback" / "dev_backward_zero" / f"{LAB}.html").read_text()
    assert "<td>backward</td><td>4.5 / 6</td><td>graded by a TA</td>" in page
    assert "TA: zeros: you never read the cache" in page
    others = [r for r in _rows(out / "grades.csv") if r[0] != "dev_backward_zero"]

    # the grader changed (--force): the same notebook regraded keeps every manual grade, and a
    # formgrader that holds the gradebook open (nbgrader keeps one per server) goes on writing to it
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{out / 'gradebook.db'}", COURSE_ID) as held:
        held.find_submission_notebook(LAB, LAB, "ben_extended")
        pipeline.main(submissions=submitted, out=out, labs=[LAB], workers=1, progress=False,
                      course_toml=course_toml, students=["dev_backward_zero"], force=True)
        assert dev_row() == ["dev_backward_zero", LAB, f"{raw:g}", "0", f"{raw:g}", f"{p:g}", "ok", ""]
        assert [r for r in _rows(out / "grades.csv") if r[0] != "dev_backward_zero"] == others
        page = (out / "feedback" / "dev_backward_zero" / f"{LAB}.html").read_text()
        assert "TA: zeros: you never read the cache" in page
        held.find_grade("backward", LAB, LAB, "ben_extended").manual_score = 5.0
        held.db.commit()
    export.main(out=out, format="canvas", course_toml=course_toml, allow_ungraded=True)
    ben = [r for r in _rows(out / "grades.csv") if r[0] == "ben_extended"][0]
    assert ben[2:5] == ["19", "0", "19"]  # 20 with backward's 6 points overridden to 5

    # the student resubmits another written answer, same code: that grade is dropped and flagged
    folder = submitted / "dev_backward_zero" / LAB
    nb = submission(course_toml, {"solution_backward": BACKWARD_ZERO})
    [first] = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == answers[0][0]]
    first.source = "A different answer."  # the other written answers stay as graded
    nbformat.write(nb, folder / f"{LAB}.ipynb")
    try:
        pipeline.main(submissions=submitted, out=out, labs=[LAB], workers=1, progress=False,
                      course_toml=course_toml, students=["dev_backward_zero"])
    finally:
        nbformat.write(submission(course_toml, {"solution_backward": BACKWARD_ZERO}), folder / f"{LAB}.ipynb")
    raw = 14 + 4.5 + sum(pts for _, pts in answers[1:])
    assert dev_row() == ["dev_backward_zero", LAB, f"{raw:g}", "0", f"{raw:g}", f"{p:g}", "ok",
                         "manual-grade-outdated;needs-manual-grade"]
    state = json.loads((out / ".units" / "manual.json").read_text())
    assert state["outdated"] == {f"dev_backward_zero/{LAB}/{answers[0][0]}": (
        f"{answers[0][0]}: changed since a TA graded it ({answers[0][1] - 2:g} of {answers[0][1]:g}): grade it again")}


def test_does_a_bad_extensions_file_get_a_one_line_message(course_toml, tmp_path):
    course = course_mod.load(course_toml)
    ext = tmp_path / "extensions.csv"
    course = dataclasses.replace(course, extensions=ext)
    cases = {
        "student,lab,due\n": "no student_id column: the header must be student_id,lab,due",
        "student_id,lab,due\nx,lab9,2027-01-01T00:00:00+00:00\n": "extensions.csv:2: lab 'lab9' is not in course.toml",
        "student_id,lab,due\nx,lab3_backprop,next week\n": "extensions.csv:2: due 'next week' is not a date",
        "student_id,lab,due\nx,lab3_backprop,2026-12-20T10:00\n": "has no UTC offset: add one",
        "student_id,lab,due\nx,lab3_backprop,2026-12-01T10:00+00:00\n": "is not after lab3_backprop's due date",
        "student_id,lab,due\nx,lab3_backprop,2026-12-20T10:00+00:00\nx,lab3_backprop,2026-12-21T10:00+00:00\n":
            "extensions.csv:3: x lab3_backprop has a second extension",
    }
    for text, message in cases.items():
        ext.write_text(text)
        with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")) as info:
            read_extensions(course)
        assert "\n" not in str(info.value) and str(ext) in str(info.value)
    ext.unlink()
    with pytest.raises(ValueError, match="no such extensions file"):
        read_extensions(course)


def test_does_grade_students_refuse_what_it_cannot_do(graded, course_toml, tmp_path):
    with pytest.raises(ValueError, match=r"--students nobody: no folder .*/nobody: use a student id"):
        pipeline.main(submissions=graded.parent / "submitted", out=graded, labs=[LAB], progress=False,
                      course_toml=course_toml, students=["nobody"])
    with pytest.raises(ValueError, match="holds no graded class"):
        pipeline.main(submissions=graded.parent / "submitted", out=tmp_path / "new", labs=[LAB], progress=False,
                      course_toml=course_toml, students=["ada_late"])


def test_does_regrading_an_unchanged_student_grade_nothing_and_keep_the_tables(graded, course_toml, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(graded, out)
    summary = pipeline.main(submissions=graded.parent / "submitted", out=out, labs=[LAB], progress=False,
                            course_toml=course_toml, students=["ada_late"])
    assert (summary.reused, [r["student"] for r in summary.results]) == (1, ["ada_late"])
    for table in ("grades.csv", "cells.csv"):
        assert (out / table).read_bytes() == (graded / table).read_bytes(), table


def test_does_a_source_notebook_edited_between_runs_get_a_new_gradebook_template(tmp_path):
    """The template gradebook (the labs' cells) is kept in OUT/.units between runs: an instructor who
    adds a graded cell to source/ and regrades must get it, never the last run's template."""
    from nbgrader.api import Gradebook

    from autograder.grade import gradebook

    root = tmp_path / "course"
    root.mkdir()
    shutil.copy(course_mod.COURSE_TOML, root / "course.toml")
    shutil.copytree(course_mod.ROOT / "source", root / "source")
    course = course_mod.load(root / "course.toml", secret="test")
    units = tmp_path / "out" / ".units"
    before = gradebook.template(course, [LAB], units)
    assert gradebook.template(course, [LAB], units) == before  # built once per content

    path = course.lab(LAB).source_notebook(course.root)
    nb = nbformat.read(path, as_version=4)
    cell = nbformat.v4.new_markdown_cell("YOUR ANSWER HERE")
    cell.metadata["nbgrader"] = {"grade": True, "solution": True, "locked": False, "points": 1,
                                 "grade_id": "added_between_runs", "schema_version": 3}
    nb.cells.append(cell)
    nbformat.write(nb, path)
    after = gradebook.template(course, [LAB], units)
    assert after != before
    with Gradebook(f"sqlite:///{after}", course.id) as gb:
        names = {c.name for c in gb.find_notebook(LAB, LAB).grade_cells}
    assert "added_between_runs" in names
