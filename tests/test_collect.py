"""LMS zips in, grades out: a Canvas zip (lab 1) and a Moodle zip (lab 2), built here the way each LMS
builds its "download all submissions" zip, collected with the LMS's roster export and its record of
submission times, graded, and exported. Every row is asserted exactly.

How the zips are built, from the LMSs' own code:
- Canvas, instructure/canvas-lms lib/content_zipper.rb: get_filename joins the sortable name
  (sanitize_user_name: lower case; sanitize_file_name: every non-word character removed), "LATE"
  when submission.late?, and the user id; add_upload_submission appends `_<attachment id>_<display
  name>`; add_text_or_url writes `<name>_text.html`. Entries are written with
  zipfile.get_output_stream, whose time is rubyzip's default: now, the time of the download. A
  resubmitted file of the same name is renamed by Attachment.make_unique_filename (`name-1.ipynb`).
- Moodle 4.1+, moodle/moodle mod/assign/classes/downloader.php: get_student_prefix is
  clean_filename(fullname . '_' . uniqueid) (underscores in the name become spaces);
  load_submissionplugin_filelist puts files under `<prefix>_assignsubmission_file/` (3.1 to 4.0,
  mod/assign/locallib.php: the same folder with a trailing `_`; with folders off:
  `<prefix>_assignsubmission_file_<file>`); lib/classes/local/archive_writer/zip_writer.php: the
  entry time "Defaults to current time". The grading worksheet's Identifier is "Participant <uniqueid>"
  and its "Last modified (submission)" is userdate() ("Thursday, 10 December 2026, 9:00 AM").

Every entry of every zip is stamped with the download time, 2027-01-20 09:30, weeks after both due
dates: a grader that read zip times would charge everyone the maximum penalty.

The Canvas class (lab 1, due 2026-12-04 23:59 UTC; roster: Canvas's gradebook export, unedited):
- jdoe on time (12:00 on the due day), and her online text entry;
- jsmith `_LATE_`, a resubmission `lab1_gradients-1.ipynb`, 10 h 1 min late by Canvas's record;
- elee, `Lab 1 - Emma final.ipynb`: placed by its nbgrader metadata, flagged renamed-notebook;
- okim, an uploaded `handin.zip` holding the notebook (and macOS's __MACOSX, and notes.md);
- spark `_LATE_` with a PDF attachment, absent from Canvas's submissions record: time-unknown and
  marked-late-by-lms, no penalty;
- rfox, an uploaded zip whose notebook is a symbolic link to the course's source notebook: refused;
- nbo, a 0.4 MB notebook that unpacks to 400 MB: refused;
- a Canvas user not in the roster.
The Moodle class (lab 2, due 2026-12-11 23:59; roster: Moodle's participants export, `;`-separated
with a BOM and a teacher's row):
- Jane Doe on time, Ann Lee as `lab2_delta_rule (1).ipynb` 2 days 0 h 2 min late, her online text;
- Bo Nosub, a notebook entry that is a symbolic link: refused.
Everyone who hands in a notebook hands in the instructor's solutions: full marks on every autograded
cell (written answers score 0 until a TA grades them), so a final score is the lab's autograded
points less the late penalty (0.1 of the lab's points per started day)."""
from __future__ import annotations

import io
import json
import stat
import zipfile
from pathlib import Path

import pytest

from autograder import collect, export, submission_times
from autograder import course as course_mod
from autograder.cli import main as cli
from tests import corpus
from tests.grading import course_toml_for_tests, grade, read_csv

pytestmark = pytest.mark.xdist_group("collect")  # one worker grades the class once

LAB1, LAB2 = "lab1_gradients", "lab2_delta_rule"
DOWNLOAD = (2027, 1, 20, 9, 30, 0)  # when the TA clicked "Download all submissions"
CANVAS_ROSTER = '''Student,ID,SIS User ID,SIS Login ID,Section,Gradients by hand (9001),The delta rule (9002)
    Points Possible,,,,,20.00,20.00
"Doe, Jane",12345,S001,jdoe,Sec 1,,
"Smith, John",12346,S002,jsmith,Sec 1,,
"Lee, Emma",12347,S003,elee,Sec 2,,
"Kim, Ola",12348,S004,okim,Sec 2,,
"Park, Sam",12349,S005,spark,Sec 2,,
"Fox, Ray",12350,S006,rfox,Sec 1,,
"Bo, Nat",12351,S007,nbo,Sec 1,,
'''
# Moodle's participants page, "Download table data as" CSV, saved by a spreadsheet in a `;` locale
MOODLE_ROSTER = ("\ufeffFirst name;Last name;Email address;Roles;Groups\n"
                 "Jane;Doe;jdoe@uni.example;Student;A\n"
                 "Ann;Lee;alee@uni.example;Student;A\n"
                 "Bo;Nosub;bnosub@uni.example;Student;B\n"
                 "Tina;Teacher;tina@uni.example;Teacher;\n")
# GET /api/v1/courses/:course_id/assignments/9001/submissions, as the API returns it
CANVAS_TIMES = [
    {"id": 1, "user_id": 12345, "assignment_id": 9001, "submitted_at": "2026-12-04T12:00:00Z", "late": False,
     "attempt": 1, "workflow_state": "submitted", "submission_type": "online_upload"},
    {"id": 2, "user_id": 12346, "assignment_id": 9001, "submitted_at": "2026-12-05T10:00:00Z", "late": True,
     "attempt": 2, "workflow_state": "submitted", "submission_type": "online_upload"},
    {"id": 3, "user_id": 12347, "assignment_id": 9001, "submitted_at": "2026-12-04T20:00:00Z", "late": False,
     "attempt": 1, "workflow_state": "submitted", "submission_type": "online_upload"},
    {"id": 4, "user_id": 12348, "assignment_id": 9001, "submitted_at": "2026-12-03T08:00:00Z", "late": False,
     "attempt": 1, "workflow_state": "submitted", "submission_type": "online_upload"},
    {"id": 6, "user_id": 12350, "assignment_id": 9001, "submitted_at": "2026-12-04T09:00:00Z", "late": False,
     "attempt": 1, "workflow_state": "submitted", "submission_type": "online_upload"},
]
MOODLE_WORKSHEET = '''"Identifier","Full name","Email address","Status","Grade","Maximum Grade","Grade can be changed","Last modified (submission)","Last modified (grade)","Feedback comments"
"Participant 5550001","Jane Doe","jdoe@uni.example","Submitted for grading","","100.00","Yes","Thursday, 10 December 2026, 9:00 AM","-",""
"Participant 5550002","Ann Lee","alee@uni.example","Submitted for grading","","100.00","Yes","Monday, 14 December 2026, 12:01 AM","-",""
"Participant 5550005","Bo Nosub","bnosub@uni.example","Submitted for grading","","100.00","Yes","Friday, 11 December 2026, 8:00 PM","-",""
'''


def notebook(lab: str, base: str = "solution") -> bytes:
    files = corpus.build(corpus.Case(lab=lab, name=f"{lab}_{base}", path=Path("x.py"), base=base))
    return files[f"{lab}.ipynb"]


def autograded_points(lab: str) -> float:
    """The points of a lab's autograded test cells (nbgrader: grade, not solution)."""
    nb = json.loads(course_mod.load().lab(lab).source_notebook().read_text())
    metas = [c["metadata"].get("nbgrader", {}) for c in nb["cells"]]
    return sum(float(m.get("points", 0)) for m in metas if m.get("grade") and not m.get("solution"))


def written(lab: str) -> set[str]:
    nb = json.loads(course_mod.load().lab(lab).source_notebook().read_text())
    return {"needs-manual-grade"} if any(c["metadata"].get("nbgrader", {}).get("grade")
                                         and c["metadata"]["nbgrader"].get("solution") for c in nb["cells"]) else set()


def link(name: str, target: str) -> tuple[zipfile.ZipInfo, bytes]:
    """A symbolic link entry, as Info-ZIP's `zip --symlinks` writes it: the mode in external_attr,
    the target as the data."""
    info = zipfile.ZipInfo(name, date_time=DOWNLOAD)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target.encode()


def make_zip(path: Path, members: list) -> Path:
    """A zip whose every entry is stamped with the download time, as Canvas and Moodle stamp them."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for member in members:
            if isinstance(member[0], zipfile.ZipInfo):
                z.writestr(*member)
            elif callable(member[1]):
                with z.open(zipfile.ZipInfo(member[0], date_time=DOWNLOAD), "w", force_zip64=True) as f:
                    member[1](f)
            else:
                info = zipfile.ZipInfo(member[0], date_time=DOWNLOAD)
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, member[1])
    return path


def zip_bytes(members: list) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for member in members:
            z.writestr(*member) if isinstance(member[0], zipfile.ZipInfo) else z.writestr(
                zipfile.ZipInfo(member[0], date_time=(2026, 12, 3, 7, 0, 0)), member[1])
    return buf.getvalue()


def bomb(f) -> None:
    """400 MB of zeros: 0.4 MB deflated."""
    chunk = bytes(1 << 20)
    for _ in range(400):
        f.write(chunk)


@pytest.fixture(scope="module")
def course_toml(tmp_path_factory) -> Path:
    """The test course with each lab's Canvas assignment id."""
    root = tmp_path_factory.mktemp("course")
    text = course_toml_for_tests().read_text()
    text = text.replace(f'id = "{LAB1}"', f'id = "{LAB1}"\ncanvas_id = 9001')
    text = text.replace(f'id = "{LAB2}"', f'id = "{LAB2}"\ncanvas_id = 9002')
    (root / "course.toml").write_text(text)
    (root / "source").symlink_to(course_mod.ROOT / "source")
    return root / "course.toml"


@pytest.fixture(scope="module")
def lms_files(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("lms")
    solution1, solution2 = notebook(LAB1), notebook(LAB2)
    source1 = str(course_mod.ROOT / "source" / LAB1 / f"{LAB1}.ipynb")
    (root / "canvas_roster.csv").write_text(CANVAS_ROSTER)
    (root / "moodle_roster.csv").write_text(MOODLE_ROSTER, encoding="utf-8")
    (root / "canvas_submissions.json").write_text(json.dumps(CANVAS_TIMES))
    (root / "moodle_worksheet.csv").write_text(MOODLE_WORKSHEET)
    canvas = make_zip(root / "canvas.zip", [
        (f"doejane_12345_900001_{LAB1}.ipynb", solution1),
        ("doejane_12345_text.html", b"<p>I also wrote this.</p>"),
        (f"smithjohn_LATE_12346_900002_{LAB1}-1.ipynb", solution1),
        ("leeemma_12347_900003_Lab 1 - Emma final.ipynb", solution1),
        ("kimola_12348_900004_handin.zip", zip_bytes([
            (f"handin/{LAB1}.ipynb", solution1), (f"__MACOSX/handin/._{LAB1}.ipynb", b"\0"),
            ("handin/notes.md", b"# my notes")])),
        ("parksam_LATE_12349_900005_report.pdf", b"%PDF-1.4"),
        (f"parksam_LATE_12349_900006_{LAB1}.ipynb", solution1),
        ("foxray_12350_900007_lab1.zip", zip_bytes([link(f"{LAB1}.ipynb", source1)])),
        (f"bonat_12351_900008_{LAB1}.ipynb", bomb),
        (f"ghostgary_99999_900009_{LAB1}.ipynb", solution1),
        (f"__MACOSX/._doejane_12345_900001_{LAB1}.ipynb", b"\0"),
    ])
    moodle = make_zip(root / "moodle.zip", [
        (f"Jane Doe_5550001_assignsubmission_file/{LAB2}.ipynb", solution2),
        (f"Ann Lee_5550002_assignsubmission_file/{LAB2} (1).ipynb", solution2),
        ("Ann Lee_5550002_assignsubmission_onlinetext/onlinetext.html", b"<p>see my notebook</p>"),
        link(f"Bo Nosub_5550005_assignsubmission_file/{LAB2}.ipynb", "../Jane Doe_5550001_assignsubmission_file/"
             f"{LAB2}.ipynb"),
    ])
    return {"canvas": canvas, "moodle": moodle, "canvas_roster": root / "canvas_roster.csv",
            "moodle_roster": root / "moodle_roster.csv", "canvas_times": root / "canvas_submissions.json",
            "moodle_times": root / "moodle_worksheet.csv"}


@pytest.fixture(scope="module")
def collected(lms_files, course_toml, tmp_path_factory) -> tuple[Path, collect.Collected, collect.Collected]:
    out = tmp_path_factory.mktemp("class") / "submitted"
    f = lms_files
    from_canvas = collect.main(zips=[f["canvas"]], lms_name="canvas", roster=f["canvas_roster"],
                               times=[f["canvas_times"]], out=out, course_toml=course_toml)
    from_moodle = collect.main(zips=[f["moodle"]], lms_name="moodle", roster=f["moodle_roster"],
                               times=[f["moodle_times"]], out=out, course_toml=course_toml)
    return out, from_canvas, from_moodle


def test_does_collect_place_each_canvas_file_or_say_why_not(collected):
    out, got, _ = collected
    assert [(p.student, p.lab, p.path.relative_to(out).as_posix(), p.member) for p in got.placed] == [
        ("elee", LAB1, f"elee/{LAB1}/Lab 1 - Emma final.ipynb", "canvas.zip:leeemma_12347_900003_Lab 1 - Emma final.ipynb"),
        ("jdoe", LAB1, f"jdoe/{LAB1}/{LAB1}.ipynb", f"canvas.zip:doejane_12345_900001_{LAB1}.ipynb"),
        ("jsmith", LAB1, f"jsmith/{LAB1}/{LAB1}.ipynb", f"canvas.zip:smithjohn_LATE_12346_900002_{LAB1}-1.ipynb"),
        ("okim", LAB1, f"okim/{LAB1}/{LAB1}.ipynb", f"canvas.zip:kimola_12348_900004_handin.zip!handin/{LAB1}.ipynb"),
        ("spark", LAB1, f"spark/{LAB1}/{LAB1}.ipynb", f"canvas.zip:parksam_LATE_12349_900006_{LAB1}.ipynb"),
    ]
    assert got.unplaced == [
        ("canvas.zip:doejane_12345_text.html", "an online text submission: not graded, read it in the LMS"),
        (f"canvas.zip:kimola_12348_900004_handin.zip!__MACOSX/handin/._{LAB1}.ipynb",
         "added by a zip tool or Jupyter, not a submission"),
        ("canvas.zip:kimola_12348_900004_handin.zip!handin/notes.md", "in the uploaded zip, not a notebook: not graded"),
        ("canvas.zip:parksam_LATE_12349_900005_report.pdf", "an attachment (.pdf), not a notebook: not graded"),
        (f"canvas.zip:foxray_12350_900007_lab1.zip!{LAB1}.ipynb", "a symbolic link: refused (never followed)"),
        (f"canvas.zip:bonat_12351_900008_{LAB1}.ipynb",
         "unpacks to 419,430,400 bytes, over the 20,971,520 a file may: refused"),
        (f"canvas.zip:__MACOSX/._doejane_12345_900001_{LAB1}.ipynb", "added by a zip tool or Jupyter, not a submission"),
        (f"canvas.zip:ghostgary_99999_900009_{LAB1}.ipynb", "Canvas ID '99999' is not in the roster: add them to it"),
    ]
    assert (got.notebooks, got.complete) == (8, False)
    assert got.counts() == (f"collected 5 of 8 notebooks (5 students) into {out}; 4 with a time the LMS recorded, "
                            f"1 time-unknown; 8 files not placed")
    assert got.warnings == [f"nbo: in the roster, no {LAB1} submission in the zips",
                            f"rfox: in the roster, no {LAB1} submission in the zips"]
    # the times are Canvas's, not the zip's 2027-01-20 09:30
    assert (out / "jsmith" / LAB1 / "timestamp.txt").read_text() == "2026-12-05 10:00:00.000000 UTC\n"
    assert (out / "jdoe" / LAB1 / "timestamp.txt").read_text() == "2026-12-04 12:00:00.000000 UTC\n"
    assert not (out / "spark" / LAB1 / "timestamp.txt").exists()
    assert (out / "okim" / LAB1 / f"{LAB1}.ipynb").read_bytes() == notebook(LAB1)
    assert sorted(p.name for p in (out / "jsmith" / LAB1).iterdir()) == [f"{LAB1}.ipynb", "timestamp.txt"]
    assert not (out / "rfox").exists() and not (out / "nbo").exists()


def test_does_collect_place_each_moodle_file_or_say_why_not(collected):
    out, _, got = collected
    assert [(p.student, p.lab, p.path.relative_to(out).as_posix()) for p in got.placed] == [
        ("alee", LAB2, f"alee/{LAB2}/{LAB2}.ipynb"), ("jdoe", LAB2, f"jdoe/{LAB2}/{LAB2}.ipynb")]
    assert got.unplaced == [
        ("moodle.zip:Ann Lee_5550002_assignsubmission_onlinetext/onlinetext.html",
         "an online text submission: not graded, read it in the LMS"),
        (f"moodle.zip:Bo Nosub_5550005_assignsubmission_file/{LAB2}.ipynb", "a symbolic link: refused (never followed)"),
    ]
    assert (got.notebooks, got.complete) == (3, False)
    assert got.warnings == [f"bnosub: in the roster, no {LAB2} submission in the zips"]
    assert (out / "alee" / LAB2 / "timestamp.txt").read_text() == "2026-12-14 00:01:00.000000 UTC\n"


def test_does_collect_keep_every_time_it_trusts_in_one_file_beside_the_class(collected):
    out = collected[0]
    assert (out / ".lms" / "times.csv").read_text().splitlines()[0] == "student_id,lab,submitted_at,lms_late,source"
    rows = {(r["student_id"], r["lab"]): r for r in read_csv(out / ".lms" / "times.csv")}
    assert {k: (r["submitted_at"], r["lms_late"], Path(r["source"].rsplit(":", 1)[0]).name if r["source"] else "")
            for k, r in rows.items()} == {
        ("alee", LAB2): ("2026-12-14T00:01:00+00:00", "", "moodle_worksheet.csv"),
        ("jdoe", LAB2): ("2026-12-10T09:00:00+00:00", "", "moodle_worksheet.csv"),
        ("elee", LAB1): ("2026-12-04T20:00:00+00:00", "", "canvas_submissions.json"),
        ("jdoe", LAB1): ("2026-12-04T12:00:00+00:00", "", "canvas_submissions.json"),
        ("jsmith", LAB1): ("2026-12-05T10:00:00+00:00", "true", "canvas_submissions.json"),
        ("okim", LAB1): ("2026-12-03T08:00:00+00:00", "", "canvas_submissions.json"),
        ("spark", LAB1): ("", "true", ""),
    }


@pytest.fixture(scope="module")
def graded(collected, course_toml) -> Path:
    out = collected[0].parent / "out"
    grade(collected[0], out, labs=[LAB1, LAB2])
    return out


def _num(x: float) -> str:
    return f"{round(x, 4):g}"


def test_is_the_collected_class_graded_with_the_lms_times_and_no_penalty_from_the_download(graded, course_toml):
    course = course_mod.load(course_toml)
    p1, p2 = course.lab(LAB1).points, course.lab(LAB2).points
    a1, a2 = autograded_points(LAB1), autograded_points(LAB2)
    w1, w2 = written(LAB1), written(LAB2)
    rows = {(r["student_id"], r["lab"]): (float(r["score"]), float(r["penalty"]), float(r["final"]), r["status"],
                                          set(filter(None, r["flags"].split(";")))) for r in read_csv(graded / "grades.csv")}
    assert rows == {
        ("alee", LAB1): (0.0, 0.0, 0.0, "missing", set()),
        ("alee", LAB2): (a2, pytest.approx(0.3 * p2), pytest.approx(a2 - 0.3 * p2), "ok", w2 | {"late"}),
        ("elee", LAB1): (a1, 0.0, a1, "ok", w1 | {"renamed-notebook"}),
        ("elee", LAB2): (0.0, 0.0, 0.0, "missing", set()),
        ("jdoe", LAB1): (a1, 0.0, a1, "ok", w1),
        ("jdoe", LAB2): (a2, 0.0, a2, "ok", w2),
        ("jsmith", LAB1): (a1, pytest.approx(0.1 * p1), pytest.approx(a1 - 0.1 * p1), "ok",
                           w1 | {"late", "marked-late-by-lms"}),
        ("jsmith", LAB2): (0.0, 0.0, 0.0, "missing", set()),
        ("okim", LAB1): (a1, 0.0, a1, "ok", w1),
        ("okim", LAB2): (0.0, 0.0, 0.0, "missing", set()),
        ("spark", LAB1): (a1, 0.0, a1, "ok", w1 | {"time-unknown", "marked-late-by-lms"}),
        ("spark", LAB2): (0.0, 0.0, 0.0, "missing", set()),
    }


def test_does_the_export_count_the_rows_without_a_trusted_time(graded, lms_files, course_toml):
    result = export.main(out=graded, format="csv", course_toml=course_toml, allow_ungraded=True)
    assert [(late.student, late.lab, late.days) for late in result.late] == [
        ("alee", LAB2, 3), ("jsmith", LAB1, 1), ("spark", LAB1, 0)]
    assert result.describe().splitlines()[-1] == (
        "1 row time-unknown: no submission time the LMS recorded, no late penalty computed: a TA settles each "
        "(see grades.csv flags)")


def test_does_the_cli_exit_non_zero_when_notebooks_were_not_placed(lms_files, course_toml, tmp_path, capsys):
    f = lms_files
    args = ["collect", str(f["moodle"]), "--lms", "moodle", "--roster", str(f["moodle_roster"]), "--times",
            str(f["moodle_times"]), "--out", str(tmp_path / "s"), "--course", str(course_toml)]
    assert cli(args) == 1
    assert capsys.readouterr().out.splitlines()[-1] == (
        "collect placed 2 of the 3 notebooks the zips hold: see 'not placed' above; pass --allow-unplaced to go "
        "on without them")
    assert cli(args + ["--allow-unplaced", "--counts-only"]) == 0
    assert capsys.readouterr().out == (f"collected 2 of 3 notebooks (2 students) into {tmp_path / 's'}; 2 with a "
                                       f"time the LMS recorded, 0 time-unknown; 2 files not placed\n")


def test_are_moodle_3_folders_and_the_flat_layout_placed_and_a_named_lab_found_in_metadata(course_toml, tmp_path):
    unnamed = notebook(LAB2, "release")
    moodle = make_zip(tmp_path / "m.zip", [
        (f"Ann Lee_5550002_assignsubmission_file_/{LAB2}.ipynb", notebook(LAB2)),  # Moodle 3.1 to 4.0
        (f"Jane Doe_5550001_assignsubmission_file_{LAB2}.ipynb", notebook(LAB2)),  # "in folders" off
        ("Cy Ng_5550006_assignsubmission_file/my work.ipynb", unnamed),  # says its lab only in its metadata
        ("Cy Ng_5550006_assignsubmission_file/draft.ipynb", b"not json"),  # says nothing
    ])
    got = collect.main(zips=[moodle], lms_name="moodle", out=tmp_path / "s", course_toml=course_toml)
    assert [(p.student, p.lab, p.path.name) for p in got.placed] == [
        ("ann_lee", LAB2, f"{LAB2}.ipynb"), ("cy_ng", LAB2, "my work.ipynb"), ("jane_doe", LAB2, f"{LAB2}.ipynb")]
    assert got.unplaced == [("m.zip:Cy Ng_5550006_assignsubmission_file/draft.ipynb",
                             "neither its name nor its nbgrader metadata says its lab: pass --lab LAB")]
    assert [p.time.when for p in got.placed] == [None, None, None]  # no worksheet given: time-unknown


def test_do_two_moodle_users_on_one_student_stop_collect_in_one_line(lms_files, course_toml, tmp_path):
    moodle = make_zip(tmp_path / "m.zip", [
        (f"Jane Doe_5550001_assignsubmission_file/{LAB2}.ipynb", notebook(LAB2)),
        (f"jane  DOE_5550009_assignsubmission_file/{LAB2}.ipynb", notebook(LAB2, "release")),
    ])
    for roster in (lms_files["moodle_roster"], None):
        with pytest.raises(collect.CollectError) as caught:
            collect.main(zips=[moodle], lms_name="moodle", roster=roster, out=tmp_path / "s", course_toml=course_toml)
        student = "jdoe" if roster else "jane_doe"
        assert str(caught.value) == (
            f"Moodle participants 'Jane Doe' (5550001) and 'jane DOE' (5550009) both map to student {student}: give "
            f"them distinct lines in the roster (or drop one from the zip); nothing was written")
        assert not (tmp_path / "s").exists()


def test_does_a_zip_that_lies_about_its_size_or_escapes_its_folder_get_refused(course_toml, tmp_path):
    liar = make_zip(tmp_path / "c.zip", [
        ("annlee_1_7_up.zip", zip_bytes([(f"../{LAB1}.ipynb", b"{}")])),
        ("bobkay_2_8_up.zip", zip_bytes([("a.zip", b"PK"), (f"{LAB1}.ipynb", notebook(LAB1, "release")),
                                         ("b/" + f"{LAB1}.ipynb", notebook(LAB1, "release"))])),
    ])
    got = collect.main(zips=[liar], lms_name="canvas", out=tmp_path / "s", course_toml=course_toml)
    assert got.placed == []
    assert got.unplaced == [
        (f"c.zip:annlee_1_7_up.zip!../{LAB1}.ipynb", "a path outside the submission: refused"),
        ("c.zip:bobkay_2_8_up.zip!a.zip", "a zip inside an uploaded zip: only one level is opened"),
        (f"c.zip:bobkay_2_8_up.zip!{LAB1}.ipynb", "the uploaded zip holds 2 notebooks: place the one to grade by hand"),
        (f"c.zip:bobkay_2_8_up.zip!b/{LAB1}.ipynb", "the uploaded zip holds 2 notebooks: place the one to grade by hand"),
    ]


def test_are_times_read_from_each_lms_record_and_bad_ones_refused_in_one_line(course_toml, tmp_path):
    course = course_mod.load(course_toml)
    canvas_csv = tmp_path / "subs.csv"
    canvas_csv.write_text("id,user_id,assignment_id,submitted_at,late\n1,12345,9002,2026-12-12T01:00:00Z,true\n"
                          "2,12346,9002,,false\n")
    got = submission_times.read(canvas_csv, course)
    assert [(r.by, r.who, r.lab, r.when and r.when.isoformat(), r.late) for r in got] == [
        ("canvas", "12345", LAB2, "2026-12-12T01:00:00+00:00", True), ("canvas", "12346", LAB2, None, False)]
    plain = tmp_path / "plain.csv"
    plain.write_text(f"student_id;lab;submitted_at\njdoe;{LAB1};2026-12-04T22:00:00-05:00\n")
    assert [(r.who, r.when.isoformat()) for r in submission_times.read(plain, course)] == [
        ("jdoe", "2026-12-05T03:00:00+00:00")]
    bad = [("a.csv", f"student_id,lab,submitted_at\njdoe,{LAB1},yesterday\n",
            "a.csv:2: submitted_at 'yesterday' is not a time: write it as 2026-12-19T10:00:00+00:00"),
           ("b.csv", f"student_id,lab,submitted_at\njdoe,{LAB1},2026-12-04T22:00\n",
            "b.csv:2: submitted_at '2026-12-04T22:00' has no UTC offset: add one, e.g. 2026-12-04T22:00+00:00"),
           ("c.json", '[{"user_id": 1, "submitted_at": "2026-12-04T22:00:00Z", "assignment_id": 77}]',
            "c.json:item 1: assignment_id 77 is no lab's canvas_id in course.toml: add `canvas_id = 77` to its lab, "
            "or give the right assignment's submissions"),
           ("d.csv", '"Identifier","Last modified (submission)"\n"Participant 1","Jeudi, 10 décembre 2026, 09:00"\n',
            "d.csv:2: Last modified (submission) 'Jeudi, 10 décembre 2026, 09:00' is not a time Moodle writes in "
            "English ('Thursday, 10 December 2026, 9:00 AM'): download the worksheet with English as your language"),
           ("e.csv", "name,when\nx,y\n", "e.csv: not a submission times file (columns: name, when): give Moodle's "
            "grading worksheet, Canvas's submissions (user_id, submitted_at) or a CSV student_id,lab,submitted_at")]
    for name, text, message in bad:
        (tmp_path / name).write_text(text)
        with pytest.raises(ValueError) as caught:
            submission_times.read(tmp_path / name, course)
        assert str(caught.value) == f"{tmp_path}/{message}"


def test_does_a_lab_less_record_refuse_zips_of_two_labs(lms_files, course_toml, tmp_path):
    both = make_zip(tmp_path / "m.zip", [
        (f"Jane Doe_5550001_assignsubmission_file/{LAB1}.ipynb", notebook(LAB1)),
        (f"Ann Lee_5550002_assignsubmission_file/{LAB2}.ipynb", notebook(LAB2))])
    with pytest.raises(collect.CollectError) as caught:
        collect.main(zips=[both], lms_name="moodle", times=[lms_files["moodle_times"]], out=tmp_path / "s",
                     course_toml=course_toml)
    assert str(caught.value) == (f"{lms_files['moodle_times']} records one assignment and does not say which, but "
                                 f"these zips hold 2 labs ({LAB1}, {LAB2}): collect each lab's zip with its own file")


def test_are_the_lms_roster_exports_read_unedited(lms_files, tmp_path):
    from autograder import lms

    canvas = lms.read_roster(lms_files["canvas_roster"], needs="ID")
    assert sorted(canvas) == ["elee", "jdoe", "jsmith", "nbo", "okim", "rfox", "spark"]
    assert canvas["jdoe"]["ID"] == "12345"
    moodle = lms.read_roster(lms_files["moodle_roster"], needs="Full name")
    assert {sid: row["Full name"] for sid, row in moodle.items()} == {
        "jdoe": "Jane Doe", "alee": "Ann Lee", "bnosub": "Bo Nosub"}
    semicolons = tmp_path / "r.csv"
    semicolons.write_bytes("\ufeffstudent_id;Student;ID\njdoe;Doe, Jane;12345\n".encode())
    assert lms.read_roster(semicolons, needs="ID") == {"jdoe": {"student_id": "jdoe", "Student": "Doe, Jane",
                                                                "ID": "12345"}}


def test_does_collect_refuse_bad_zips_and_rosters_in_one_line(lms_files, course_toml, tmp_path):
    canvas = lms_files["canvas"]
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


def test_is_a_late_marker_that_the_recorded_time_contradicts_reported(course_toml, tmp_path):
    marked = make_zip(tmp_path / "c.zip", [(f"doejane_LATE_12345_1_{LAB1}.ipynb", notebook(LAB1, "release")),
                                           (f"leeann_late_12346_2_{LAB1}.ipynb", notebook(LAB1, "release"))])  # older Canvas
    times = tmp_path / "t.json"
    times.write_text(json.dumps([{"user_id": 12345, "assignment_id": 9001, "submitted_at": "2026-12-04T22:00:00Z",
                                  "late": True}]))
    got = collect.main(zips=[marked], lms_name="canvas", times=[times], out=tmp_path / "s", course_toml=course_toml)
    assert [(p.student, p.lab, p.time.lms_late, p.time.when is None) for p in got.placed] == [
        ("12345", LAB1, True, False), ("12346", LAB1, True, True)]
    assert got.warnings == [
        f"12345 {LAB1}: Canvas marks it late but its recorded time 2026-12-04 22:00:00.000000 UTC is not after "
        "course.toml's due date: an extension in the LMS? add it to the extensions file",
        "no --roster: student ids are Canvas user ids"]
