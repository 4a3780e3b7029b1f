"""End to end, as a student sees it: the release notebook in JupyterLab 4 with nbgrader's extension,
in a real headless Chromium driven by Playwright. Run all, click Validate, read the dialog.

The browser is Debian's chromium (`make browser` installs it with apt-get); Playwright's own
browser download is never used. The test skips only where no browser could be installed.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import json
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = ROOT / "build" / "browser"
LAB = "lab3_backprop"
TOKEN = "autograder-e2e"
COURSE_ID = tomllib.loads((ROOT / "course.toml").read_text())["course"]["id"]
# JupyterLab's news and update prompts would cover the notebook in the screenshot.
PAGE_CONFIG = '{"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": true}}'
# Every cell in the page, not only those in view, so outputs above the last one can be read.
NOTEBOOK_SETTINGS = '{"windowingMode": "none"}'

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - requirements.txt pins it
    sync_playwright = None

pytestmark = [
    pytest.mark.skipif(sync_playwright is None, reason="playwright is not installed: run `make setup`"),
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason=f"no browser: {CHROMIUM} is missing and `make browser` could not install "
                              "Debian's chromium here (apt-get unavailable or not root)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"JupyterLab did not answer {url} in {timeout} s:\n{log.read_text()[-3000:]}")


def _wait_for_kernel(base: str, timeout: float = 90) -> None:
    """Until the page's kernel is started, connected to the page and idle: the toolbar's idle
    indicator shows before the kernel exists, and a Run All clicked then runs nothing."""
    deadline = time.monotonic() + timeout
    kernels = []
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/api/kernels?token={TOKEN}", timeout=5) as reply:
                kernels = json.load(reply)
        except OSError:  # jupyter_server answers 500 while a kernel is half started (last_activity None)
            time.sleep(0.3)
            continue
        if any(k.get("connections", 0) >= 1 and k.get("execution_state") == "idle" for k in kernels):
            return
        time.sleep(0.3)
    raise RuntimeError(f"no idle kernel connected to the page after {timeout} s: {kernels}")


def _open_with_idle_kernel(page, base: str) -> None:
    """The notebook on screen with its kernel idle, as the server and the page both see it. On a
    loaded machine the page now and then stays at "Initializing" although its kernel is up and
    connected; a reload, as a student would do, reconnects it."""
    for attempt in range(2):
        page.wait_for_selector(".jp-Notebook .jp-CodeCell")
        _wait_for_kernel(base)
        try:
            page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=45_000)
            return
        except PlaywrightTimeout:
            if attempt:
                raise
            page.reload()


@pytest.fixture
def jupyterlab(tmp_path):
    """A JupyterLab server on a free localhost port, over a temporary copy of the course."""
    course = tmp_path / "course"
    course.mkdir()
    for name in ("course.toml", "nbgrader_config.py"):
        shutil.copy(ROOT / name, course / name)
    shutil.copytree(ROOT / "release" / LAB, course / "release" / LAB)
    yield from _serve(course, tmp_path)


def _serve(course: Path, tmp_path: Path):
    """JupyterLab (with nbgrader's extensions) serving `course`, started in it; yields (base url, log)."""
    config = tmp_path / "jupyter-config"
    (config / "labconfig").mkdir(parents=True)
    (config / "labconfig" / "page_config.json").write_text(PAGE_CONFIG)
    settings = tmp_path / "lab-settings"
    (settings / "@jupyterlab" / "notebook-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings").write_text(NOTEBOOK_SETTINGS)
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(config), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               IPYTHONDIR=str(tmp_path / "ipython"), PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    env.pop("MPLBACKEND", None)  # the kernel draws inline, as for a student
    port = _free_port()
    log = tmp_path / "jupyterlab.log"
    # nbgrader's Validate handler reads nbgrader_config.py from the server's working directory.
    with open(log, "w") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1",
             f"--port={port}", f"--ServerApp.token={TOKEN}", f"--ServerApp.root_dir={course}",
             f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}", f"--LabApp.user_settings_dir={settings}",
             "--LabApp.news_url=None",
             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
            cwd=course, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(f"{base}/api/status?token={TOKEN}", proc, log)
        yield base, log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_does_validate_in_jupyterlab_report_the_unfinished_release_notebook(jupyterlab):
    base, log = jupyterlab
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / f"{LAB}_validate.png"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        try:
            page.set_default_timeout(180_000)  # generous: `make test` grades classes on the other workers
            page.goto(f"{base}/lab/tree/release/{LAB}/{LAB}.ipynb?token={TOKEN}")
            _open_with_idle_kernel(page, base)

            # Run > Run All Cells, as a student would; JupyterLab stops at the first error.
            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
            error = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
            error.first.wait_for(state="attached")  # above the fold: run all scrolls to the end
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']")
            first_error = error.first.text_content()

            page.locator(".validate-button").click()
            dialog = page.locator(".jp-Dialog-content")
            dialog.wait_for()
            text = dialog.inner_text()
            page.screenshot(path=str(shot))
        except Exception:
            page.screenshot(path=str(SCREENSHOTS / f"{LAB}_failed.png"))  # what the browser showed
            print(log.read_text()[-5000:])  # the server's side, shown by pytest on failure
            raise
        finally:
            browser.close()
    assert "NotImplementedError" in first_error and "init_params" in first_error, first_error
    assert shot.stat().st_size > 10_000
    assert "Validation Results" in text and "The following cell failed" in text, text
    assert "NotImplementedError" in text, text
    assert "init_params: write this function" in text, text


# -- the TA's side: formgrader on a graded class ----------------------------------------------------

@pytest.fixture
def graded_demo_class(tmp_path):
    """Lab 3 of the demo class (tests/example_class.py), graded with a course whose lab 3 has a
    written answer (the lab's own reflection cells, or one added until the labs have them)."""
    import nbformat

    from autograder.grade import pipeline
    from tests import example_class
    from tests.test_ta_loop import make_course

    (tmp_path / "course").mkdir()
    course_toml = make_course(tmp_path / "course")
    submitted = tmp_path / "submitted"
    example_class.main(str(submitted))
    source = nbformat.read(course_toml.parent / "source" / LAB / f"{LAB}.ipynb", as_version=4)
    answers = [c for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")
               and c.metadata["nbgrader"].get("grade")]
    for student in ("ada_full_marks", "ben_partly_right"):
        path = submitted / student / LAB / f"{LAB}.ipynb"
        nb = nbformat.read(path, as_version=4)
        ids = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
        for answer in answers:
            gid = answer.metadata["nbgrader"]["grade_id"]
            if gid not in ids:
                ids[gid] = nbformat.from_dict(dict(answer))
                nb.cells.append(ids[gid])
            ids[gid].source = "Weight transport: the backward pass needs W2 transposed."
        nbformat.write(nb, path)
    for student in ("cleo_blank", "dev_broken"):  # two notebooks are enough for formgrader
        shutil.rmtree(submitted / student)
    out = tmp_path / "out"
    pipeline.main(submissions=submitted, out=out, labs=[LAB], workers=2, progress=False, course_toml=course_toml)
    return course_toml, submitted, out, [c.metadata["nbgrader"]["grade_id"] for c in answers]


def _wait_for_gradebook(out: Path, check, timeout: float = 60) -> None:
    from nbgrader.api import Gradebook

    deadline = time.monotonic() + timeout
    while True:
        with Gradebook(f"sqlite:///{out / 'gradebook.db'}", COURSE_ID) as gb:
            nb = gb.find_submission_notebook(LAB, LAB, "ben_partly_right")
            state = ({g.name: g.manual_score for g in nb.grades}, {c.name: c.manual_comment for c in nb.comments})
        if check(*state):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"formgrader did not save the grades in {timeout} s: {state}")
        time.sleep(0.5)


def test_does_a_grade_set_in_formgrader_reach_export_and_feedback_and_survive_a_regrade(graded_demo_class,
                                                                                         tmp_path):
    from nbgrader.api import Gradebook

    from autograder import export
    from autograder.grade import pipeline
    from autograder.grade.tables import read_grades

    course_toml, submitted, out, answers = graded_demo_class
    cells = {(r["student_id"], r["grade_id"]): r for r in read_grades(out / "cells.csv")}
    grades = {r["student_id"]: r for r in read_grades(out / "grades.csv")}
    assert grades["ben_partly_right"]["flags"] == "needs-manual-grade"
    # the first check ben failed that grades a function he wrote: the TA gives half of it
    failed = [gid for (s, gid), r in cells.items() if s == "ben_partly_right" and float(r["score"]) < float(
        r["max_score"]) and gid not in answers]
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}", COURSE_ID) as gb:
        nb = gb.find_submission_notebook(LAB, LAB, "ben_partly_right")
        comments = {c.name for c in nb.comments}
        submission_id = nb.id
    gid = [g for g in failed if f"solution_{g}" in comments][0]
    half = float(cells[("ben_partly_right", gid)]["max_score"]) / 2
    unit = json.loads((out / ".units" / "ben_partly_right" / f"{LAB}.json").read_text())
    message = [c["message"] for c in unit["cells"] if c["grade_id"] == gid][0]
    assert message
    answer_points = float(cells[("ben_partly_right", answers[0])]["max_score"])
    raw_before = float(grades["ben_partly_right"]["score"])

    server = _serve(out, tmp_path)
    base, log = next(server)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / f"{LAB}_formgrader.png"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            # formgrader's own requests (the scores it saves) carry the token as a header
            page = browser.new_page(viewport={"width": 1400, "height": 900},
                                    extra_http_headers={"Authorization": f"token {TOKEN}"})
            try:
                page.set_default_timeout(120_000)
                page.goto(f"{base}/formgrader/submissions/{submission_id}/?token={TOKEN}")
                # the autograded notebook, with the check's verdict in the failed cell
                page.locator(f"input.score#{gid}").wait_for()
                # formgrader binds its inputs once it has fetched the grades: under load, a score
                # typed before that was lost (CI), so wait for the page to settle, and see it saved
                page.wait_for_load_state("networkidle")
                assert message[:40] in page.inner_text("body")
                for attempt in range(3):
                    page.locator(f"input.score#{gid}").fill(f"{half:g}")
                    page.locator(f"input.score#{gid}").press("Tab")
                    try:
                        _wait_for_gradebook(out, lambda g, c: g.get(gid) == half, timeout=20)
                        break
                    except AssertionError:
                        if attempt == 2:
                            raise
                page.locator(f"textarea#solution_{gid}-comment").fill("Half: the idea is right, check the shapes.")
                page.locator(f"textarea#solution_{gid}-comment").press("Tab")
                for other in answers[1:]:
                    page.locator(f"input.score#{other}").fill("0")
                    page.locator(f"input.score#{other}").press("Tab")
                page.locator(f"input.score#{answers[0]}").fill(f"{answer_points - 1:g}")
                page.locator(f"input.score#{answers[0]}").press("Tab")
                page.locator(f"textarea#{answers[0]}-comment").fill("Good; say which weights.")
                page.locator(f"textarea#{answers[0]}-comment").press("Tab")
                _wait_for_gradebook(out, lambda g, c: g.get(gid) == half and g.get(answers[0]) == answer_points - 1
                                    and all(g.get(a) == 0 for a in answers[1:])
                                    and c.get(f"solution_{gid}") == "Half: the idea is right, check the shapes."
                                    and c.get(answers[0]) == "Good; say which weights.")
                page.screenshot(path=str(shot), full_page=False)
            except Exception:
                page.screenshot(path=str(SCREENSHOTS / f"{LAB}_formgrader_failed.png"))
                print(log.read_text()[-5000:])
                raise
            finally:
                browser.close()
    finally:
        server.close()  # stops JupyterLab

    raw = raw_before - float(cells[("ben_partly_right", gid)]["score"]) + half + answer_points - 1
    points = float(grades["ben_partly_right"]["max_score"])

    def check_everywhere():
        canvas = export.main(out=out, format="canvas", course_toml=course_toml, allow_ungraded=True).path
        row = [r for r in read_grades(canvas) if r["SIS Login ID"] == "ben_partly_right"][0]
        assert float(row[[k for k in row if k.endswith("(3003)")][0]]) == raw  # make_course: canvas_id = 3003
        ben = {r["student_id"]: r for r in read_grades(out / "grades.csv")}["ben_partly_right"]
        assert (float(ben["score"]), float(ben["final"]), float(ben["max_score"]), ben["flags"]) == (raw, raw, points, "")
        page = (out / "feedback" / "ben_partly_right" / f"{LAB}.html").read_text()
        assert f"<td>{gid}</td><td>{half:g} / {half * 2:g}</td><td>graded by a TA</td>" in page
        assert "TA: Half: the idea is right, check the shapes." in page
        assert "TA: Good; say which weights." in page
        assert f"<td>{answers[0]}</td><td>{answer_points - 1:g} / {answer_points:g}</td>" in page

    check_everywhere()
    pipeline.main(submissions=submitted, out=out, labs=[LAB], workers=1, progress=False, course_toml=course_toml,
                  students=["ben_partly_right"], force=True)
    check_everywhere()
    assert shot.stat().st_size > 10_000


# -- a hostile notebook in the TA's browser ---------------------------------------------------------

# each payload, if it ran, would mark the page: a TA's session would then be the student's
PWN = "window.__pwned=(window.__pwned||[]).concat('{where}')"
HOSTILE_LAB = "lab1_gradients"


def hostile_notebook(nb):
    """A right notebook that hides script everywhere formgrader shows a student's text: its written
    answer and a markdown cell (`<img onerror>`), a raw cell (`<svg onload>`), and a code cell that
    displays HTML with a script, JavaScript, SVG and markdown (outputs, kept or not by the grader),
    saved with those outputs as if the student had run it."""
    import nbformat

    img = f'<img src="x" onerror="{PWN.format(where="markdown")}">'
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "reflection_1":
            cell.source = f"My answer. <img src=x onerror=\"{PWN.format(where='answer')}\">"
    nb.cells.append(nbformat.v4.new_markdown_cell(f"Notes {img}"))
    raw = nbformat.v4.new_raw_cell(f'<svg onload="{PWN.format(where="raw")}"></svg>')
    raw.metadata["raw_mimetype"] = "text/html"
    nb.cells.append(raw)
    code = nbformat.v4.new_code_cell(
        "from IPython.display import HTML, Javascript, SVG, Markdown, display\n"
        f"display(HTML('<b>html</b><script>{PWN.format(where='html-output')}</script>'))\n"
        f"display(Javascript(\"{PWN.format(where='js-output')}\"))\n")
    code.outputs = [
        nbformat.v4.new_output("display_data", data={
            "text/html": f"<script>{PWN.format(where='stored-html')}</script><img src=x onerror=\"{PWN.format(where='stored-img')}\">",
            "text/plain": "<html>"}),
        nbformat.v4.new_output("display_data", data={"application/javascript": PWN.format(where="stored-js"),
                                                      "text/plain": "<js>"}),
        nbformat.v4.new_output("display_data", data={
            "image/svg+xml": f'<svg xmlns="http://www.w3.org/2000/svg" onload="{PWN.format(where="stored-svg")}"></svg>',
            "text/markdown": f"<img src=x onerror=\"{PWN.format(where='stored-md')}\">"})]
    nb.cells.append(code)
    return nb


def _pwned(page) -> list:
    return page.evaluate("window.__pwned || []")


def test_does_a_hostile_notebook_run_no_script_in_formgrader(tmp_path):
    import nbformat
    from nbgrader.api import Gradebook

    from tests import corpus
    from tests.grading import build_class, grade, read_csv

    cases = {c.name: c for c in corpus.cases(HOSTILE_LAB, spread=False)}
    submitted = build_class([cases["right"]], tmp_path / "submitted")
    corpus.write_submission(cases["right"], tmp_path / "submitted" / "mallory" / HOSTILE_LAB)
    path = tmp_path / "submitted" / "mallory" / HOSTILE_LAB / f"{HOSTILE_LAB}.ipynb"
    nbformat.write(hostile_notebook(nbformat.read(path, as_version=4)), path)
    out = tmp_path / "out"
    grade(submitted, out, labs=[HOSTILE_LAB])
    rows = {r["student_id"]: r for r in read_csv(out / "grades.csv")}
    # the classmate's grade is untouched, and mallory's code is as right as hers
    cells = [r for r in read_csv(out / "cells.csv") if not r["grade_id"].startswith("reflection")]
    assert [r["grade_id"] for r in cells if r["score"] != r["max_score"]] == []  # both: every check passed
    assert {r["student_id"] for r in cells} == {"right", "mallory"}
    assert (rows["right"]["status"], rows["mallory"]["status"]) == ("ok", "ok")
    kept = (out / "autograded" / "mallory" / HOSTILE_LAB / f"{HOSTILE_LAB}.ipynb").read_text()
    assert "onerror" in kept  # the text is kept for the TA to read, as text
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}", COURSE_ID) as gb:
        submission_id = gb.find_submission_notebook(HOSTILE_LAB, HOSTILE_LAB, "mallory").id

    server = _serve(out, tmp_path)
    base, log = next(server)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page(extra_http_headers={"Authorization": f"token {TOKEN}"})
            try:
                page.set_default_timeout(120_000)
                # the payloads are live in this browser: as plain HTML they run (so this test can fail)
                page.set_content(f'<img src="x" onerror="{PWN.format(where="markdown")}">'
                                 f'<svg onload="{PWN.format(where="raw")}"></svg>')
                page.wait_for_function("(window.__pwned || []).length == 2")
                page.goto(f"{base}/formgrader/submissions/{submission_id}/?token={TOKEN}")
                page.locator("input.score#reflection_1").wait_for()
                page.wait_for_load_state("networkidle")
                page.wait_for_timeout(1000)  # an image's error event, an svg's load, after the page settles
                assert _pwned(page) == [], _pwned(page)
                body = page.inner_text("body")
                assert "My answer." in body and "onerror" in body  # shown as text
            except Exception:
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SCREENSHOTS / "hostile_formgrader_failed.png"))
                print(log.read_text()[-5000:])
                raise
            finally:
                browser.close()
    finally:
        server.close()


def test_does_our_pages_content_security_policy_stop_a_script_that_slipped_through(tmp_path):
    """Defence in depth: a feedback page into which student HTML got unescaped (a bug we do not
    have) still runs none of it; the same page without our policy would."""
    from autograder.grade import feedback

    result = {"student": "mallory", "lab": HOSTILE_LAB, "status": "ok", "score": 1.0, "max_score": 1.0, "cells": []}
    payload = (f'<img src="x" onerror="{PWN.format(where="img")}"><script>{PWN.format(where="script")}</script>'
               f'<svg onload="{PWN.format(where="svg")}"></svg>')
    page_html = feedback.render(result).replace("<body>", "<body>" + payload, 1)
    assert feedback.CSP in page_html
    with_policy, without = tmp_path / "with.html", tmp_path / "without.html"
    with_policy.write_text(page_html)
    without.write_text(page_html.replace(feedback.CSP, ""))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.goto(without.as_uri())
            page.wait_for_function("(window.__pwned || []).length == 3")
            page.goto(with_policy.as_uri())
            page.wait_for_load_state("load")
            page.wait_for_timeout(500)
            assert _pwned(page) == []
        finally:
            browser.close()
