"""A whole term in one class folder (OUT): later grading, formgrader and exports never lose a grade.

The term: week 1 grades lab 1 (ann: the solutions, bob: the release notebook unchanged); a TA
grades written answers in formgrader, in a real browser; week 2's folder holds only lab 2 and is
graded into the same OUT with --labs, then without; ann is regraded; the formgrader page opened
before that regrade saves one more score; export. Every lab's rows, every manual score and
comment are there, and what was not regraded is byte-identical in cells.csv.

Then each mistake a TA or an instructor can make with such a folder, as its own case with its
exact message and exit code. Those cases grade only missing notebooks (no kernel runs)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder import course as course_mod
from autograder import export
from autograder.grade import pipeline
from autograder.grade.tables import read_grades
from tests import corpus
from tests.grading import course_toml_for_tests
from tests.test_cli import course_with, run

LAB1, LAB2 = "lab1_gradients", "lab2_delta_rule"
COURSE_ID = course_mod.load().id
ROOT = course_mod.ROOT


def _submit(folder: Path, student: str, lab: str, case: str) -> None:
    corpus.write_submission({c.name: c for c in corpus.cases(lab)}[case], folder / student / lab)


def _grade(submissions: Path, out: Path, **kwargs):
    kwargs.setdefault("workers", 1)
    return pipeline.main(submissions=submissions, out=out, progress=False, course_toml=course_toml_for_tests(),
                         **kwargs)


def _gradebook_cells(out: Path):
    """(student, lab, notebook id, "grade" or "comment", its row) for every grade and comment of OUT's gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{out / 'gradebook.db'}", COURSE_ID) as gb:
        for assignment in gb.assignments:
            for submission in assignment.submissions:
                for nb in submission.notebooks:
                    for kind, rows in (("grade", nb.grades), ("comment", nb.comments)):
                        for row in rows:
                            yield submission.student.id, assignment.name, nb.id, kind, row


def _ids(out: Path) -> dict:
    """Every id formgrader holds: (student, lab, cell) -> (submission notebook id, grade id, comment id)."""
    return {(student, lab, row.name, kind): (nb_id, row.id) for student, lab, nb_id, kind, row in _gradebook_cells(out)}


def _manual(out: Path) -> dict:
    """What TAs gave: (student, lab, cell, "score" or "comment") -> the manual score or comment."""
    found = {}
    for student, lab, _, kind, row in _gradebook_cells(out):
        if kind == "grade" and row.manual_score is not None:
            found[(student, lab, row.name, "score")] = row.manual_score
        elif kind == "comment" and row.manual_comment:
            found[(student, lab, row.name, "comment")] = row.manual_comment
    return found


def _cells(out: Path) -> dict:
    """cells.csv's lines by unit (student, lab), as bytes."""
    lines = (out / "cells.csv").read_bytes().splitlines(keepends=True)[1:]
    units: dict = {}
    for line in lines:
        student, lab = line.decode().split(",")[:2]
        units.setdefault((student, lab), []).append(line)
    return units


# -- formgrader, in a real browser ------------------------------------------------------------------

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - requirements.txt pins it
    sync_playwright = None
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
NO_BROWSER = f"no browser: {CHROMIUM} is missing and `make browser` could not install Debian's chromium here"


def _serving(out: Path) -> list[int]:
    """Processes still running in OUT (a JupyterLab left behind by `autograder formgrader`)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.readlink(f"/proc/{pid}/cwd") == str(out):
                found.append(int(pid))
        except OSError:
            continue
    return found


class Formgrader:
    """`autograder formgrader OUT`, started as a TA would, with the address it prints."""

    def __init__(self, out: Path, course_toml: Path, tmp: Path):
        env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp / "jupyter-config"),
                   JUPYTER_RUNTIME_DIR=str(tmp / "runtime"), IPYTHONDIR=str(tmp / "ipython"),
                   JUPYTER_DATA_DIR=str(tmp / "jupyter-data"))
        self.log = tmp / "formgrader.log"
        self.proc = subprocess.Popen([sys.executable, "-m", "autograder", "formgrader", str(out), "--course",
                                      str(course_toml)], env=env, stdout=subprocess.PIPE,
                                     stderr=open(self.log, "w"), text=True)
        line = self.proc.stdout.readline()
        m = re.fullmatch(r"formgrader for (\S+): (http://127\.0\.0\.1:(\d+)/formgrader\?token=(\w+))  "
                         r"\(Ctrl-C stops it\)\n", line)
        assert m and m.group(1) == str(out), line
        self.url, self.base, self.token = m.group(2), f"http://127.0.0.1:{m.group(3)}", m.group(4)
        self._wait()

    def _wait(self, timeout: float = 120) -> None:
        import urllib.request

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text()[-3000:]
            try:
                with urllib.request.urlopen(self.url, timeout=5) as reply:
                    if reply.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise AssertionError(f"formgrader did not answer in {timeout} s:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()


def _wait_for(out: Path, key: tuple, value, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while _manual(out).get(key) != value:
        if time.monotonic() > deadline:
            raise AssertionError(f"formgrader did not save {key} = {value!r} in {timeout} s: {_manual(out)}")
        time.sleep(0.3)


def _score(page, out: Path, student: str, lab: str, cell: str, points: float) -> None:
    """Type a score as a TA does (the field, then Tab) and see it in the gradebook; formgrader binds
    its fields only once it has fetched the grades, so a score typed before that is typed again."""
    for attempt in range(3):
        page.locator(f"input.score#{cell}").fill(f"{points:g}")
        page.locator(f"input.score#{cell}").press("Tab")
        try:
            return _wait_for(out, (student, lab, cell, "score"), points, timeout=15)
        except AssertionError:
            if attempt == 2:
                raise


def _comment(page, out: Path, student: str, lab: str, cell: str, text: str) -> None:
    page.locator(f"textarea#{cell}-comment").fill(text)
    page.locator(f"textarea#{cell}-comment").press("Tab")
    _wait_for(out, (student, lab, cell, "comment"), text)


def _open(browser, fg: Formgrader, notebook_id: str):
    page = browser.new_page(viewport={"width": 1400, "height": 900},
                            extra_http_headers={"Authorization": f"token {fg.token}"})
    page.set_default_timeout(120_000)
    page.goto(f"{fg.base}/formgrader/submissions/{notebook_id}/?token={fg.token}")
    page.locator("input.score#reflection_1").wait_for()
    page.wait_for_load_state("networkidle")
    return page


@pytest.mark.xdist_group("term")
@pytest.mark.skipif(sync_playwright is None or not CHROMIUM.exists(), reason=NO_BROWSER)
def test_does_a_whole_term_in_one_folder_keep_every_lab_manual_score_and_comment(tmp_path, capsys):
    toml = course_toml_for_tests()
    out, week1, week2 = tmp_path / "out", tmp_path / "week1", tmp_path / "week2"
    _submit(week1, "ann", LAB1, "right")
    _submit(week1, "bob", LAB1, "blank")
    _submit(week2, "ann", LAB2, "right")
    _submit(week2, "bob", LAB2, "blank")

    # week 1: lab 1
    _grade(week1, out, labs=[LAB1])
    assert [(r["student_id"], r["lab"]) for r in read_grades(out / "grades.csv")] == [("ann", LAB1), ("bob", LAB1)]
    # formgrader shows the notebook as it ran in the grader: the student's printed text and figures
    shown = nbformat.read(out / "autograded" / "ann" / LAB1 / f"{LAB1}.ipynb", as_version=4)
    outputs = [o for c in shown["cells"] if not c["metadata"].get("nbgrader", {}).get("grade")
               for o in c.get("outputs", [])]
    assert any(o["output_type"] == "stream" and o["text"].strip() for o in outputs), outputs
    assert any("image/png" in o.get("data", {}) for o in outputs), outputs
    ids_in_order = [c["metadata"].get("nbgrader", {}).get("grade_id") for c in shown["cells"]]
    after = shown["cells"][ids_in_order.index("reflection_1") + 1]
    assert after["metadata"] == {"autograder_marking_guide": True}
    assert after["source"].startswith("**For the TA: marking guide of reflection_1** (from source/, never shown "
                                      "to students)\n\n**Marking guide (2 points).**"), after["source"]
    ids = _ids(out)
    fg = Formgrader(out, toml, tmp_path)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            try:
                # the TA grades both students' written answers; ann's page stays open all term
                ann_page = _open(browser, fg, ids[("ann", LAB1, "reflection_1", "grade")][0])
                body = ann_page.inner_text("body")
                assert "For the TA: marking guide of reflection_1" in body  # the guide beside the answer
                assert ann_page.locator("img[src^='data:image/png']").count() >= 1  # the student's figures
                _score(ann_page, out, "ann", LAB1, "reflection_1", 2)
                _comment(ann_page, out, "ann", LAB1, "reflection_1", "Clear, and the shapes are right.")
                bob_page = _open(browser, fg, ids[("bob", LAB1, "reflection_1", "grade")][0])
                for cell in ("reflection_1", "reflection_2", "reflection_3"):
                    _score(bob_page, out, "bob", LAB1, cell, 0)
                _comment(bob_page, out, "bob", LAB1, "reflection_2", "Nothing written: see me.")
                bob_page.close()
                pipeline.refresh(out, course_mod.load(toml))
                bob_lab1 = _cells(out)[("bob", LAB1)]

                # week 2: a folder holding only lab 2, with --labs, then without
                summary = _grade(week2, out, labs=[LAB2])
                assert (len(summary.results), summary.kept) == (2, 2)
                rows = {(r["student_id"], r["lab"]): r for r in read_grades(out / "grades.csv")}
                assert set(rows) == {("ann", LAB1), ("bob", LAB1), ("ann", LAB2), ("bob", LAB2)}
                ann_lab2 = _cells(out)[("ann", LAB2)]
                summary = _grade(week2, out)  # every lab: lab 1 is absent from this folder, never `missing`
                rows = {(r["student_id"], r["lab"]): r for r in read_grades(out / "grades.csv")}
                assert rows[("ann", LAB1)]["status"] == rows[("bob", LAB1)]["status"] == "ok"
                assert float(rows[("ann", LAB1)]["score"]) > 2
                assert {lab for _, lab in rows} == set(course_mod.load(toml).lab_ids)
                assert summary.reused == 2  # lab 2, unchanged since the run before

                # ann regraded; her page, opened before, saves one more score
                _grade(week1, out, labs=[LAB1], students=["ann"], force=True)
                assert _ids(out).items() >= ids.items()  # every id formgrader holds is still valid
                _score(ann_page, out, "ann", LAB1, "reflection_2", 1.5)
                _score(ann_page, out, "ann", LAB1, "reflection_3", 1)
            finally:
                browser.close()
    finally:
        fg.stop()
    assert _serving(out) == []  # stopped with `autograder formgrader`: JupyterLab left nothing running

    assert _manual(out) == {
        ("ann", LAB1, "reflection_1", "score"): 2, ("ann", LAB1, "reflection_2", "score"): 1.5,
        ("ann", LAB1, "reflection_3", "score"): 1,
        ("ann", LAB1, "reflection_1", "comment"): "Clear, and the shapes are right.",
        ("bob", LAB1, "reflection_1", "score"): 0, ("bob", LAB1, "reflection_2", "score"): 0,
        ("bob", LAB1, "reflection_3", "score"): 0, ("bob", LAB1, "reflection_2", "comment"): "Nothing written: see me."}

    # lab 2's written answers still wait for a TA: export says so and stops, unless told
    assert run(["export", out, "--format", "csv", "--course", toml], capsys) == (
        2, "", f"autograder: export: 2 rows of {out} ({LAB2}) still wait for a TA (needs-manual-grade): grade the "
               f"written answers in formgrader (`autograder formgrader {out}`), or pass --allow-ungraded to export "
               f"them as they are\n")
    page = (out / "feedback" / "ann" / f"{LAB2}.html").read_text()
    assert ("<b>Not graded yet:</b> reflection_1, reflection_2, reflection_3: a TA has not graded these answers "
            "yet, so this score is not final.") in page
    assert "Not graded yet" not in (out / "feedback" / "ann" / f"{LAB1}.html").read_text()
    assert "TA: Clear, and the shapes are right." in (out / "feedback" / "ann" / f"{LAB1}.html").read_text()

    path = export.main(out=out, format="csv", course_toml=toml, allow_ungraded=True).path
    table = {r["student_id"]: r for r in read_grades(path)}
    rows = {(r["student_id"], r["lab"]): r for r in read_grades(out / "grades.csv")}
    cells = {(r["student_id"], r["lab"], r["grade_id"]): r for r in read_grades(out / "cells.csv")}
    for student in ("ann", "bob"):
        for lab in (LAB1, LAB2):
            assert float(table[student][lab]) == float(rows[(student, lab)]["final"])
    assert [float(cells[("ann", LAB1, f"reflection_{i}")]["score"]) for i in (1, 2, 3)] == [2, 1.5, 1]
    # graded from a folder without the LMS's times: no lateness is judged (issue 24's time-unknown)
    assert rows[("ann", LAB1)]["flags"] == rows[("bob", LAB1)]["flags"] == "time-unknown"
    assert rows[("ann", LAB2)]["flags"] == "needs-manual-grade;time-unknown"
    # what was not regraded is byte-identical in cells.csv
    assert _cells(out)[("bob", LAB1)] == bob_lab1
    assert _cells(out)[("ann", LAB2)] == ann_lab2


@pytest.mark.xdist_group("term")
def test_does_a_ta_saving_in_formgrader_while_grade_runs_lose_nothing(tmp_path):
    """nbgrader's gradebook API, as formgrader's handlers use it (one long-lived Gradebook, a grade
    found by its id, set, committed), saving again and again while `grade` rewrites other units.
    No kernel runs (missing notebooks), so the run is short: the saves are made as fast as they go."""
    from nbgrader.api import Gradebook

    submitted = tmp_path / "submitted"
    for student in ("ann", "bob", "cleo", "dev", "erin", "finn"):
        (submitted / student / LAB1).mkdir(parents=True)
    out = tmp_path / "out"
    _grade(submitted, out, labs=[LAB1])
    ids = _ids(out)
    targets = sorted(gid for (student, lab, cell, kind), (_, gid) in ids.items()
                     if student in ("ann", "bob") and kind == "grade")
    saved: dict = {}
    done, errors = threading.Event(), []

    def ta():
        try:
            with Gradebook(f"sqlite:///{out / 'gradebook.db'}", COURSE_ID) as gb:
                value = 0
                while not done.is_set() or value < 2 * len(targets):
                    gid = targets[value % len(targets)]
                    grade = gb.find_grade_by_id(gid)
                    grade.manual_score = (value % 5) / 2
                    grade.needs_manual_grade = False
                    gb.db.commit()
                    saved[gid] = (value % 5) / 2
                    value += 1
                    time.sleep(0.02)  # a quick TA: fifty saves a second
        except Exception as exc:  # noqa: BLE001 - the assertion below shows it
            errors.append(repr(exc))

    thread = threading.Thread(target=ta)
    thread.start()
    try:
        _grade(submitted, out, labs=[LAB1], students=["cleo", "dev", "erin", "finn"], force=True)
    finally:
        done.set()
        thread.join(timeout=120)
    assert errors == []
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}", COURSE_ID) as gb:
        assert {gid: gb.find_grade_by_id(gid).manual_score for gid in targets} == saved
    assert _ids(out) == ids


# -- the mistakes, each with its message and exit code ----------------------------------------------

def _missing_class(tmp_path: Path, students=("ann", "bob"), lab=LAB1) -> Path:
    for s in students:
        (tmp_path / "submitted" / s / lab).mkdir(parents=True, exist_ok=True)
    return tmp_path / "submitted"


def _graded_missing_class(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    _grade(_missing_class(tmp_path), out, labs=[LAB1])
    return out


def test_is_grading_or_exporting_another_course_into_a_class_folder_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_SECRET", "s3cret")
    out = _graded_missing_class(tmp_path)
    (tmp_path / "other").mkdir()
    other = course_with(tmp_path / "other", 'id = "how-brains-learn"', 'id = "another-course"')
    message = (f"autograder: {out} holds the class of course 'how-brains-learn', but {other} is course "
               f"'another-course': use that course's course.toml (--course), or another --out folder\n")
    before = (out / "grades.csv").read_bytes()
    assert run(["grade", tmp_path / "submitted", "--out", out, "--labs", LAB1, "--course", other], capsys) == (
        2, "", message)
    assert run(["export", out, "--format", "csv", "--course", other], capsys) == (2, "", message)
    assert (out / "grades.csv").read_bytes() == before


@pytest.mark.parametrize("old,new,line,message", [
    ("[late]", "[lates]", None, "[lates]: unknown section; did you mean [late]?"),
    ('[[labs]]\nid = "lab3_backprop"', '[[lab]]\nid = "lab3_backprop"', None,
     "[[lab]]: unknown section; did you mean [[labs]]?"),
    ("cell_timeout = ", "cell_timout = ", None, "cell_timout: unknown key in [grading]; did you mean cell_timeout?"),
    ('title = "Gradients by hand"', 'title = "Gradients by hand"\ncanvas-id = 5', None,
     "canvas-id: unknown key in [[labs]]; did you mean canvas_id?"),
    ("[tolerances.float32]\nrtol", "[tolerances.float32]\nrtool", None,
     "rtool: unknown key in [tolerances]; did you mean rtol?"),
    ("[tolerances.gradient_check]\neps", "[tolerances.gradient_check]\nepsilon", None,
     "epsilon: unknown key in [tolerances]; did you mean eps?"),
], ids=["lates", "lab", "cell_timout", "canvas-id", "rtool", "epsilon"])
def test_is_a_typo_in_course_toml_refused_naming_its_line_and_the_closest_name(tmp_path, capsys, old, new, line,
                                                                                message):
    toml = course_with(tmp_path, old, new)
    typo = message.split(":")[0]
    number = [i for i, ln in enumerate(toml.read_text().splitlines(), 1) if ln.strip().startswith(typo)][0]
    for argv in (["report", tmp_path], ["export", tmp_path], ["grade", tmp_path, "--out", tmp_path / "o"]):
        assert run([*argv, "--course", toml], capsys) == (2, "", f"autograder: {toml}: line {number}: {message}\n")


def test_does_a_lab_dropped_from_course_toml_stop_export_and_grade(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_SECRET", "s3cret")
    out = _graded_missing_class(tmp_path)
    text = course_toml_for_tests().read_text()
    start = text.index("[[labs]]")
    end = text.index("[[labs]]", start + 1)
    (tmp_path / "dropped").mkdir()
    toml = course_with(tmp_path / "dropped", text[start:end], "")
    message = (f"autograder: {out} holds grades for lab '{LAB1}', which {toml} no longer lists: put its "
               f"[[labs]] table back (or use another --out folder)\n")
    assert run(["export", out, "--format", "csv", "--course", toml], capsys) == (2, "", message)
    assert run(["grade", tmp_path / "submitted", "--out", out, "--labs", LAB2, "--course", toml], capsys) == (
        2, "", message)
    assert [r["lab"] for r in read_grades(out / "grades.csv")] == [LAB1, LAB1]


def test_are_unexpected_layouts_refused_naming_the_expected_one(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_SECRET", "s3cret")
    layout = "the layout is <student_id>/<lab_id>/<lab_id>.ipynb"
    swapped = tmp_path / "swapped"
    (swapped / "lab3_backprop" / "ann").mkdir(parents=True)
    (swapped / "lab3_backprop" / "ann" / "lab3_backprop.ipynb").write_text("{}")

    def grade(folder, *labs):
        return run(["grade", folder, "--out", tmp_path / "o", *(["--labs", *labs] if labs else []),
                    "--course", course_toml_for_tests()], capsys)

    assert grade(swapped) == (
        2, "", f"autograder: {swapped}: lab3_backprop/ is a lab id, not a student: {layout}, not "
               f"<lab_id>/<student_id>/\n")
    loose = tmp_path / "loose" / "ann" / "my_work.ipynb"
    loose.parent.mkdir(parents=True)
    loose.write_text("{}")
    assert grade(tmp_path / "loose", LAB1) == (
        2, "", f"autograder: {loose}: not in a {LAB1}/ folder: move it to ann/{LAB1}/{LAB1}.ipynb ({layout})\n")
    assert grade(tmp_path / "loose") == (
        2, "", f"autograder: {loose}: not in its lab's folder: move it to ann/<lab_id>/<lab_id>.ipynb ({layout})\n")
    archive = tmp_path / "Submissions.ZIP"
    zipfile.ZipFile(archive, "w").close()
    assert grade(archive) == (
        2, "", f"autograder: {archive} is a zip: unpack it into nbgrader's layout first with `autograder collect "
               f"{archive} --lms canvas|moodle --out SUBMISSIONS`\n")
    assert not (tmp_path / "o").exists()


def test_is_a_student_missing_from_a_later_folder_kept_and_a_new_one_added(tmp_path):
    """Without a kernel: week 1 has ann and bob (missing notebooks, then bob's row graded from a
    saved result); week 2's folder has only cleo: ann and bob keep their rows."""
    out = _graded_missing_class(tmp_path)
    week2 = tmp_path / "week2"
    (week2 / "cleo" / LAB1).mkdir(parents=True)
    summary = _grade(week2, out, labs=[LAB1])
    assert [r["student"] for r in summary.results] == ["cleo"] and summary.kept == 2
    assert [r["student_id"] for r in read_grades(out / "grades.csv")] == ["ann", "bob", "cleo"]
    assert "kept 2 earlier results" in summary.describe()


def test_does_formgrader_start_on_localhost_with_allow_root_only_as_root(tmp_path):
    from autograder import formgrader

    as_root = formgrader.command(tmp_path, 8123, "t0k", root=True)
    as_user = formgrader.command(tmp_path, 8123, "t0k", root=False)
    assert as_root == as_user + ["--allow-root"]
    assert "--ip=127.0.0.1" in as_user and "--port=8123" in as_user and "--allow-root" not in as_user
    assert formgrader.url(8123, "t0k") == "http://127.0.0.1:8123/formgrader?token=t0k"


def test_is_formgrader_on_a_folder_that_is_not_a_graded_class_refused(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert run(["formgrader", tmp_path / "empty", "--course", course_toml_for_tests()], capsys) == (
        2, "", f"autograder: {tmp_path / 'empty'} has no gradebook.db: it is not a graded class; grade it first "
               f"(`autograder grade SUBMISSIONS --out {tmp_path / 'empty'}`)\n")


def test_is_removing_a_student_an_explicit_command_that_keeps_the_others_ids(tmp_path, capsys):
    out = _graded_missing_class(tmp_path)
    (tmp_path / "submitted" / "cleo" / LAB1).mkdir(parents=True)
    _grade(tmp_path / "submitted", out, labs=[LAB1], students=["cleo"])
    ids = _ids(out)
    assert run(["remove", out, "--students", "bob", "--course", course_toml_for_tests()], capsys) == (
        0, f"removed 1 graded notebook from {out}: bob {LAB1}\n", "")
    assert [r["student_id"] for r in read_grades(out / "grades.csv")] == ["ann", "cleo"]
    assert _ids(out) == {k: v for k, v in ids.items() if k[0] != "bob"}
    assert not (out / ".units" / "bob" / f"{LAB1}.json").exists()
    assert not (out / "feedback" / "bob" / f"{LAB1}.html").exists()
    assert run(["remove", out, "--students", "bob", "--course", course_toml_for_tests()], capsys) == (
        2, "", f"autograder: remove: {out} holds no student 'bob': use an id from {out / 'grades.csv'}\n")
    shutil.rmtree(tmp_path / "submitted" / "bob")
    _grade(tmp_path / "submitted", out, labs=[LAB1])  # he does not come back
    assert [r["student_id"] for r in read_grades(out / "grades.csv")] == ["ann", "cleo"]
