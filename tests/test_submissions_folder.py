"""grade reads SUBMISSIONS without following a link or reading a special file, and trusts no time a
student wrote. A lab 1 class, graded once:

- links_to_source: the notebook is a symbolic link to the course's source notebook (solutions and
  hidden tests): refused, status missing, 0, flagged refused-file;
- links_to_classmate: the notebook is a link to honest_solution's: refused the same way;
- mirror_folder: the student's whole folder is a link to honest_solution's: refused the same way;
- dev_zero_timestamp: the solutions, timestamp.txt a link to /dev/zero and notes.txt a FIFO: both
  refused (the grader neither hangs nor reads without end), the notebook graded: full autograded
  points, flagged refused-file and time-unknown;
- backdated: the solutions and a timestamp.txt backdated to November, no time the LMS recorded: no
  penalty and no trust: flagged time-unknown, the claimed time quoted for a TA;
- huge_notebook: a 21 MB notebook: not read (20 MB is the cap), status unreadable, 0;
- honest_solution: the solutions, its time from the LMS (a --times CSV): 10 h after the due date,
  one started day late: penalised, not time-unknown."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from autograder import course as course_mod
from autograder.grade import tables
from tests import corpus
from tests.grading import grade, read_csv

pytestmark = pytest.mark.xdist_group("submissions_folder")

LAB = "lab1_gradients"


def _solution() -> bytes:
    return corpus.build(corpus.Case(lab=LAB, name="s", path=Path("x.py"), base="solution"))[f"{LAB}.ipynb"]


def _autograded_points() -> float:
    nb = json.loads(course_mod.load().lab(LAB).source_notebook().read_text())
    metas = [c["metadata"].get("nbgrader", {}) for c in nb["cells"]]
    return sum(float(m.get("points", 0)) for m in metas if m.get("grade") and not m.get("solution"))


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("class")
    sub = root / "submitted"
    for student in ("links_to_source", "links_to_classmate", "dev_zero_timestamp", "backdated", "honest_solution",
                    "huge_notebook"):
        (sub / student / LAB).mkdir(parents=True)
    honest = sub / "honest_solution" / LAB / f"{LAB}.ipynb"
    honest.write_bytes(_solution())
    (sub / "links_to_source" / LAB / f"{LAB}.ipynb").symlink_to(course_mod.load().lab(LAB).source_notebook())
    (sub / "links_to_classmate" / LAB / f"{LAB}.ipynb").symlink_to(honest)
    (sub / "mirror_folder").symlink_to(sub / "honest_solution")
    (sub / "dev_zero_timestamp" / LAB / f"{LAB}.ipynb").write_bytes(_solution())
    (sub / "dev_zero_timestamp" / LAB / "timestamp.txt").symlink_to("/dev/zero")
    os.mkfifo(sub / "dev_zero_timestamp" / LAB / "notes.txt")
    (sub / "backdated" / LAB / f"{LAB}.ipynb").write_bytes(_solution())
    (sub / "backdated" / LAB / "timestamp.txt").write_text("2026-11-01 09:00:00.000000 UTC\n")
    with open(sub / "huge_notebook" / LAB / f"{LAB}.ipynb", "wb") as f:
        f.truncate(21 * 1024 * 1024)  # sparse: nothing is written, and nothing must be read
    recorded = root / "times.csv"
    recorded.write_text(f"student_id,lab,submitted_at\nhonest_solution,{LAB},2026-12-05T10:00:00+00:00\n")
    grade(sub, root / "out", labs=[LAB], times=[recorded])
    return root / "out"


def test_are_links_and_special_files_refused_and_the_rest_graded(graded):
    p = course_mod.load().lab(LAB).points
    a = _autograded_points()
    rows = {r["student_id"]: (float(r["score"]), float(r["penalty"]), r["status"],
                              set(filter(None, r["flags"].split(";"))) - {"needs-manual-grade"})
            for r in read_csv(graded / "grades.csv")}
    assert rows == {
        "backdated": (a, 0.0, "ok", {"time-unknown"}),
        "dev_zero_timestamp": (a, 0.0, "ok", {"refused-file", "time-unknown"}),
        "honest_solution": (a, pytest.approx(0.1 * p), "ok", {"late"}),
        "huge_notebook": (0.0, 0.0, "unreadable", set()),
        "links_to_classmate": (0.0, 0.0, "missing", {"refused-file"}),
        "links_to_source": (0.0, 0.0, "missing", {"refused-file"}),
        "mirror_folder": (0.0, 0.0, "missing", {"refused-file"}),
    }


def test_do_the_notes_say_what_was_refused_and_which_time_is_not_trusted(graded):
    notes = {r["student"]: r["notes"] for r in tables.read_results(graded)}
    assert "links and special files are never followed or read: notes.txt, timestamp.txt refused" in notes[
        "dev_zero_timestamp"]
    assert f"links and special files are never followed or read: {LAB}.ipynb refused" in notes["links_to_source"]
    assert "the notebook is 22,020,096 bytes, over the 20,971,520 grade reads" in notes["huge_notebook"]
    assert "mirror_folder is a symbolic link or special file, not a folder: not followed" in notes["mirror_folder"]
    assert ("no submission time the LMS recorded was given (collect --times, grade --times): no late penalty computed, "
            "for a TA to settle; its timestamp.txt (written by the student's own nbgrader submit) says "
            "'2026-11-01 09:00:00.000000 UTC', not trusted") in notes["backdated"]


def test_is_an_exchange_time_the_inbound_folders_change_time_when_its_name_is_backdated(tmp_path):
    """nbgrader submit (nbgrader/exchange/default/submit.py) names the inbound folder
    `student+lab+time+random`, the time taken in the student's own process, so a student can name it
    anything; the folder's change time is set by the kernel."""
    from datetime import datetime, timedelta, timezone

    from autograder import submission_times

    course = course_mod.load()
    inbound = tmp_path / "inbound"
    before = datetime.now(timezone.utc) - timedelta(seconds=2)
    claimed = (datetime.now(timezone.utc) - timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    folders = {"ann": f"ann+{LAB}+{claimed}+Zm9vYmFy",  # as nbgrader submit names it, now
               "bob": f"bob+{LAB}+2026-11-01 09:00:00.000000 UTC+YmFyYmF6",  # renamed to a backdated time
               "cy": f"cy+{LAB}+2026-11-01 09:00:00.000000 UTC+b2xk"}  # cy's older submission ...
    for name in folders.values():
        (inbound / name).mkdir(parents=True)
        (inbound / name / f"{LAB}.ipynb").write_bytes(b"{}")
        (inbound / name / "timestamp.txt").write_text(name.split("+")[2])
    newer = inbound / f"cy+{LAB}+{claimed}+bmV3"  # ... and her newer one, which nbgrader collect takes
    newer.mkdir()
    (newer / f"{LAB}.ipynb").write_bytes(b"{}")
    (inbound / f"dan+{LAB}+{claimed}+eA").symlink_to(inbound / folders["ann"])  # a link: not read
    got = {r.who: r for r in submission_times.read(inbound, course)}
    assert sorted(got) == ["ann", "bob", "cy"]
    assert submission_times.utc_text(got["ann"].when) == claimed
    assert got["bob"].when >= before  # its change time, not the November it claims
    assert (got["cy"].where, submission_times.utc_text(got["cy"].when)) == (str(newer), claimed)


def test_does_grade_refuse_an_lms_file_it_cannot_match_in_one_line(tmp_path, capsys):
    from autograder.cli import main as cli
    from tests.grading import course_toml_for_tests

    (tmp_path / "s" / "ann" / LAB).mkdir(parents=True)
    (tmp_path / "s" / "ann" / LAB / f"{LAB}.ipynb").write_text("not a notebook")
    worksheet = tmp_path / "worksheet.csv"
    worksheet.write_text('"Identifier","Full name","Last modified (submission)"\n'
                         '"Participant 1","Ann Lee","Thursday, 10 December 2026, 9:00 AM"\n')
    code = cli(["grade", str(tmp_path / "s"), "--out", str(tmp_path / "o"), "--times", str(worksheet),
                "--course", str(course_toml_for_tests()), "--allow-demo-secret"])
    assert (code, capsys.readouterr().err.splitlines()[-1]) == (2, (
        f"autograder: {worksheet}: grade takes a CSV student_id,lab,submitted_at; give Canvas's or Moodle's own file "
        f"to `autograder collect --times` with the zips, which matches their users"))
    assert not (tmp_path / "o" / "grades.csv").exists()
