"""LMS zips in, grade files out: a Canvas zip (lab 1) and a Moodle zip (lab 2), built here the way
each LMS names its downloads, collected into nbgrader's layout, graded and exported for both
LMSs. Every row is asserted exactly.

The class (roster: jdoe, jsmith, alee, bnosub):
- Canvas, lab 1: jdoe on time (an older upload of hers too), jsmith marked `_late` by Canvas and
  10 h 1 min after the due date, a Canvas user not in the roster, notes.txt and a __MACOSX entry.
- Moodle, lab 2: jdoe on time, alee as `lab2_delta_rule (1).ipynb` 2 days 9 h 1 min late, her
  online text, a notebook of jdoe's whose name holds no lab id, a Moodle user not in the roster.
Everyone who hands in a notebook hands in the instructor's solutions: full marks on every
autograded cell (manually graded reflections score 0 until a TA grades them), so a score is the
lab's autograded points minus the late penalty (0.1 of the lab's points per started day)."""
from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import pytest

from autograder import collect, export
from autograder import course as course_mod
from autograder import lms
from autograder.grade import tables
from tests import corpus
from tests.grading import course_toml_for_tests, grade, read_csv

pytestmark = pytest.mark.xdist_group("collect")  # one worker grades the class once

LAB1, LAB2 = "lab1_gradients", "lab2_delta_rule"
ROSTER = """student_id,Student,ID,SIS User ID,SIS Login ID,Section,Full name,Email address,Username,ID number
jdoe,"Doe, Jane",12345,S001,jdoe,Sec 1,Jane Doe,jdoe@uni.example,jdoe,S001
jsmith,"Smith, John",12346,S002,jsmith,Sec 1,John Smith,jsmith@uni.example,jsmith,S002
alee,"Lee, Ann",12347,S003,alee,Sec 2,Ann  Lee,alee@uni.example,alee,S003
bnosub,"Nosub, Bo",12348,S004,bnosub,Sec 2,Bo Nosub,bnosub@uni.example,bnosub,S004
"""


def notebook(lab: str, base: str = "solution") -> bytes:
    files = corpus.build(corpus.Case(lab=lab, name=f"{lab}_{base}", path=Path("x.py"), base=base))
    return files[f"{lab}.ipynb"]


def autograded_points(lab: str) -> float:
    """The points of a lab's autograded test cells (nbgrader: grade, not solution)."""
    nb = json.loads(course_mod.load().lab(lab).source_notebook().read_text())
    metas = [c["metadata"].get("nbgrader", {}) for c in nb["cells"]]
    return sum(float(m.get("points", 0)) for m in metas if m.get("grade") and not m.get("solution"))


def manual_cells(lab: str) -> bool:
    nb = json.loads(course_mod.load().lab(lab).source_notebook().read_text())
    return any(c["metadata"].get("nbgrader", {}).get("grade") and c["metadata"]["nbgrader"].get("solution")
               for c in nb["cells"])


def make_zip(path: Path, members: list[tuple[str, tuple, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, when, data in members:
            z.writestr(zipfile.ZipInfo(name, date_time=when), data)
    return path


@pytest.fixture(scope="module")
def course_toml(tmp_path_factory) -> Path:
    """The test course with each lab's Canvas assignment id and lab 1's Moodle grade item."""
    root = tmp_path_factory.mktemp("course")
    text = course_toml_for_tests().read_text()
    text = text.replace(f'id = "{LAB1}"', f'id = "{LAB1}"\ncanvas_id = 9001\nmoodle_item = "Lab 1: gradients"')
    text = text.replace(f'id = "{LAB2}"', f'id = "{LAB2}"\ncanvas_id = 9002')
    (root / "course.toml").write_text(text)
    (root / "source").symlink_to(course_mod.ROOT / "source")
    return root / "course.toml"


@pytest.fixture(scope="module")
def zips(tmp_path_factory) -> tuple[Path, Path, Path]:
    root = tmp_path_factory.mktemp("lms")
    (root / "roster.csv").write_text(ROSTER)
    solution1, solution2 = notebook(LAB1), notebook(LAB2)
    canvas = make_zip(root / "canvas.zip", [
        (f"doejane_12345_900000_{LAB1}.ipynb", (2026, 12, 3, 9, 0, 0), notebook(LAB1, "release")),
        (f"doejane_12345_900001_{LAB1}.ipynb", (2026, 12, 4, 12, 0, 0), solution1),
        (f"smithjohn_late_12346_900002_{LAB1}-1.ipynb", (2026, 12, 5, 10, 0, 0), solution1),
        (f"ghostgary_99999_900003_{LAB1}.ipynb", (2026, 12, 4, 8, 0, 0), solution1),
        ("notes.txt", (2026, 12, 4, 8, 0, 0), b"grade me kindly"),
        (f"__MACOSX/._doejane_12345_900001_{LAB1}.ipynb", (2026, 12, 4, 12, 0, 0), b"\0"),
    ])
    moodle = make_zip(root / "moodle.zip", [
        (f"Jane Doe_5550001_assignsubmission_file_/{LAB2}.ipynb", (2026, 12, 10, 9, 0, 0), solution2),
        ("Jane Doe_5550001_assignsubmission_file_/scratch.ipynb", (2026, 12, 10, 9, 0, 0), solution2),
        ("Jane Doe_5550001_assignsubmission_onlinetext_/onlinetext.html", (2026, 12, 10, 9, 0, 0), b"<p>hi</p>"),
        (f"Ann Lee_5550002_assignsubmission_file_/{LAB2} (1).ipynb", (2026, 12, 14, 0, 0, 0), solution2),
        (f"Zed Unknown_5550003_assignsubmission_file_/{LAB2}.ipynb", (2026, 12, 10, 9, 0, 0), solution2),
    ])
    return canvas, moodle, root / "roster.csv"


@pytest.fixture(scope="module")
def collected(zips, course_toml, tmp_path_factory) -> tuple[Path, collect.Collected, collect.Collected]:
    canvas, moodle, roster = zips
    out = tmp_path_factory.mktemp("class") / "submitted"
    from_canvas = collect.main(zips=[canvas], lms_name="canvas", roster=roster, out=out, course_toml=course_toml)
    from_moodle = collect.main(zips=[moodle], lms_name="moodle", roster=roster, out=out, course_toml=course_toml)
    return out, from_canvas, from_moodle


def test_does_collect_place_each_canvas_file_or_say_why_not(collected):
    out, got, _ = collected
    assert [(p.student, p.lab, p.path.relative_to(out).as_posix(), p.late_marker) for p in got.placed] == [
        ("jdoe", LAB1, f"jdoe/{LAB1}/{LAB1}.ipynb", False), ("jsmith", LAB1, f"jsmith/{LAB1}/{LAB1}.ipynb", True)]
    assert got.unplaced == [
        (f"canvas.zip:doejane_12345_900000_{LAB1}.ipynb",
         f"an older copy of jdoe's {LAB1} than canvas.zip:doejane_12345_900001_{LAB1}.ipynb"),
        (f"canvas.zip:ghostgary_99999_900003_{LAB1}.ipynb", "Canvas ID '99999' is not in the roster: add them to it"),
        ("canvas.zip:notes.txt", "not a notebook (.txt)"),
        (f"canvas.zip:__MACOSX/._doejane_12345_900001_{LAB1}.ipynb", "added by the zip tool, not a submission"),
    ]
    assert got.warnings == [f"alee: in the roster, no {LAB1} submission in the zips",
                            f"bnosub: in the roster, no {LAB1} submission in the zips"]
    assert (out / "jsmith" / LAB1 / "timestamp.txt").read_text() == "2026-12-05 10:00:00.000000 UTC\n"
    assert (out / "jdoe" / LAB1 / "timestamp.txt").read_text() == "2026-12-04 12:00:00.000000 UTC\n"
    assert (out / "jdoe" / LAB1 / f"{LAB1}.ipynb").read_bytes() == notebook(LAB1)
    assert json.loads((out / ".lms" / "jsmith" / f"{LAB1}.json").read_text()) == {
        "lms": "canvas", "file": f"canvas.zip:smithjohn_late_12346_900002_{LAB1}-1.ipynb", "late_marker": True}
    assert sorted(p.name for p in (out / "jsmith" / LAB1).iterdir()) == [f"{LAB1}.ipynb", "timestamp.txt"]


def test_does_collect_place_each_moodle_file_or_say_why_not(collected):
    out, _, got = collected
    assert [(p.student, p.lab, p.path.relative_to(out).as_posix()) for p in got.placed] == [
        ("alee", LAB2, f"alee/{LAB2}/{LAB2}.ipynb"), ("jdoe", LAB2, f"jdoe/{LAB2}/{LAB2}.ipynb")]
    assert got.unplaced == [
        ("moodle.zip:Jane Doe_5550001_assignsubmission_file_/scratch.ipynb",
         "no lab id in its name: pass --lab LAB for this zip"),
        ("moodle.zip:Jane Doe_5550001_assignsubmission_onlinetext_/onlinetext.html", "not a notebook (.html)"),
        (f"moodle.zip:Zed Unknown_5550003_assignsubmission_file_/{LAB2}.ipynb",
         "Moodle name 'zed unknown' is not in the roster: add them to it"),
    ]
    assert got.warnings == [f"bnosub: in the roster, no {LAB2} submission in the zips",
                            f"jsmith: in the roster, no {LAB2} submission in the zips"]
    assert (out / "alee" / LAB2 / "timestamp.txt").read_text() == "2026-12-14 00:00:00.000000 UTC\n"


@pytest.fixture(scope="module")
def graded(collected, course_toml) -> Path:
    out = collected[0].parent / "out"
    grade(collected[0], out, labs=[LAB1, LAB2])
    return out


def _num(x: float) -> str:
    return f"{round(x, 4):g}"


def test_is_the_collected_class_graded_with_its_lateness(graded, course_toml):
    course = course_mod.load(course_toml)
    p1, p2 = course.lab(LAB1).points, course.lab(LAB2).points
    a1, a2 = autograded_points(LAB1), autograded_points(LAB2)
    manual = {lab: {"needs-manual-grade"} if manual_cells(lab) else set() for lab in (LAB1, LAB2)}
    # grades.csv's `late` flag depends on whether nbgrader's gradebook is given the due dates (that is
    # being worked on elsewhere); lateness itself is asserted through timestamp.txt and the exports' late rule below
    rows = [(r["student_id"], r["lab"], float(r["score"]), float(r["max_score"]), r["status"],
             set(filter(None, r["flags"].split(";"))) - {"late"}) for r in read_csv(graded / "grades.csv")]
    assert rows == [
        ("alee", LAB1, 0.0, p1, "missing", set()),
        ("alee", LAB2, a2, p2, "ok", manual[LAB2]),
        ("jdoe", LAB1, a1, p1, "ok", manual[LAB1]),
        ("jdoe", LAB2, a2, p2, "ok", manual[LAB2]),
        ("jsmith", LAB1, a1, p1, "ok", manual[LAB1]),
        ("jsmith", LAB2, 0.0, p2, "missing", set()),
    ]
    results = {(r["student"], r["lab"]): r for r in tables.read_results(graded)}
    assert results["jsmith", LAB1]["timestamp"].strip() == "2026-12-05 10:00:00.000000 UTC"
    assert results["alee", LAB2]["timestamp"].strip() == "2026-12-14 00:00:00.000000 UTC"


def _rows(path: Path) -> list[list[str]]:
    with open(path, newline="") as f:
        return list(csv.reader(f))


def test_does_the_canvas_export_fill_the_existing_assignments_from_the_roster(graded, zips, course_toml):
    course = course_mod.load(course_toml)
    p1, p2 = course.lab(LAB1).points, course.lab(LAB2).points
    a1, a2 = autograded_points(LAB1), autograded_points(LAB2)
    result = export.main(out=graded, format="canvas", roster=zips[2], course_toml=course_toml, allow_ungraded=True)
    rows = _rows(result.path)
    assert rows[0][:5] == lms.CANVAS_IDENTITY == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert rows == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Gradients by hand (9001)", "The delta rule (9002)"],
        ["Points Possible", "", "", "", "", _num(p1), _num(p2)],
        ["Lee, Ann", "12347", "S003", "alee", "Sec 2", "0", _num(a2 - 3 * 0.1 * p2)],
        ["Doe, Jane", "12345", "S001", "jdoe", "Sec 1", _num(a1), _num(a2)],
        ["Smith, John", "12346", "S002", "jsmith", "Sec 1", _num(a1 - 0.1 * p1), "0"],
    ]
    assert result.warnings == ["bnosub: in the roster but has no grades: left blank (the LMS keeps what it has)"]
    assert [(late.student, late.lab, late.days) for late in result.late] == [("alee", LAB2, 3), ("jsmith", LAB1, 1)]


def test_does_the_moodle_export_have_an_identifier_and_one_column_per_grade_item(graded, zips, course_toml):
    course = course_mod.load(course_toml)
    p1, p2 = course.lab(LAB1).points, course.lab(LAB2).points
    a1, a2 = autograded_points(LAB1), autograded_points(LAB2)
    result = export.main(out=graded, format="moodle", roster=zips[2], course_toml=course_toml, allow_ungraded=True)
    assert result.path == graded / "moodle.csv"
    assert _rows(result.path) == [
        ["Email address", "Username", "ID number", "Lab 1: gradients", "The delta rule"],
        ["alee@uni.example", "alee", "S003", "0", _num(a2 - 3 * 0.1 * p2)],
        ["jdoe@uni.example", "jdoe", "S001", _num(a1), _num(a2)],
        ["jsmith@uni.example", "jsmith", "S002", _num(a1 - 0.1 * p1), "0"],
    ]
    assert result.warnings == ["bnosub: in the roster but has no grades: left blank (the LMS keeps what it has)"]


def test_without_a_roster_are_canvas_ids_the_students_and_a_contradicted_late_marker_reported(zips, course_toml,
                                                                                               tmp_path):
    marked = make_zip(tmp_path / "c.zip", [(f"doejane_late_12345_1_{LAB1}.ipynb", (2026, 12, 1, 0, 0, 0), b"{}")])
    got = collect.main(zips=[marked], lms_name="canvas", out=tmp_path / "s", course_toml=course_toml)
    assert [(p.student, p.lab) for p in got.placed] == [("12345", LAB1)]
    assert got.warnings == [
        f"12345 {LAB1}: Canvas marks it late but its time 2026-12-01 00:00:00.000000 UTC is not after the due date: "
        "check timestamp.txt", "no --roster: student ids are Canvas user ids"]


def test_does_collect_refuse_bad_zips_and_rosters_in_one_line(zips, course_toml, tmp_path):
    canvas, _, roster = zips
    (tmp_path / "x.zip").write_text("not a zip")
    cases = [
        (dict(zips=[tmp_path / "none.zip"], lms_name="canvas"), FileNotFoundError,
         f"no zip at {tmp_path / 'none.zip'}: download the submissions from Canvas first"),
        (dict(zips=[tmp_path / "x.zip"], lms_name="moodle"), ValueError,
         f"{tmp_path / 'x.zip'} is not a zip file: pass the zip Moodle downloads, not its contents"),
        (dict(zips=[canvas], lms_name="blackboard"), ValueError, "--lms 'blackboard': choose one of canvas, moodle"),
        (dict(zips=[canvas], lms_name="canvas", roster=tmp_path / "r.csv"), FileNotFoundError,
         f"no roster at {tmp_path / 'r.csv'}: pass --roster path/to/roster.csv"),
        (dict(zips=[canvas], lms_name="canvas", lab="lab9"), ValueError,
         "unknown lab 'lab9': course.toml has lab1_gradients, lab2_delta_rule, lab3_backprop, "
         "lab4_feedback_alignment, lab5_dendritic_quiz"),
    ]
    (tmp_path / "noid.csv").write_text("student_id,Student\njdoe,Jane\n")
    cases.append((dict(zips=[canvas], lms_name="canvas", roster=tmp_path / "noid.csv"), ValueError,
                  f"roster {tmp_path / 'noid.csv'}: no 'ID' column, which this LMS matches students by: add it"))
    (tmp_path / "twice.csv").write_text("student_id,Full name\njdoe,Jane Doe\njdoe,J Doe\n")
    cases.append((dict(zips=[canvas], lms_name="moodle", roster=tmp_path / "twice.csv"), ValueError,
                  f"roster {tmp_path / 'twice.csv'}: line 3: student_id 'jdoe' appears twice: keep one line"))
    for kwargs, error, message in cases:
        with pytest.raises(error) as caught:
            collect.main(out=tmp_path / "s", course_toml=course_toml, **kwargs)
        assert str(caught.value) == message
    assert not (tmp_path / "s").exists()
