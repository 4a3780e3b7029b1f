"""After the deadline students get the worked notebook (runnable, no hidden checks), and never
before the lab's due date and its latest extension; students' JupyterLab, made by the bundle's
student_env.py, hides nbgrader's instructor tools and keeps the Validate button and Assignments tab,
whose texts the bundle's README describes."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import nbformat
import pytest

from autograder import cli
from autograder import course as course_mod
from autograder import release
from tests.conftest import STUDENT_ENV

ROOT = course_mod.ROOT
LAB = "lab1_gradients"
DUE = course_mod.load().lab(LAB).due
LATEST = DUE + timedelta(days=3)


@pytest.fixture
def course_with_extension(tmp_path):
    """This course, with an extensions file that moves lab 1's due date 3 days for one student."""
    text = course_mod.COURSE_TOML.read_text().replace("max_days = 7\n", 'max_days = 7\nextensions = "extensions.csv"\n')
    (tmp_path / "course.toml").write_text(text)
    (tmp_path / "extensions.csv").write_text(f"student_id,lab,due\nada,{LAB},{LATEST.isoformat()}\n"
                                             f"bob,{LAB},{(DUE + timedelta(days=1)).isoformat()}\n")
    (tmp_path / "source").mkdir()
    for lab in sorted((ROOT / "source").iterdir()):
        (tmp_path / "source" / lab.name).symlink_to(lab)
    return tmp_path / "course.toml"


def test_are_solutions_refused_before_the_latest_extension_with_one_line_and_exit_2(course_with_extension,
                                                                                       tmp_path, capsys):
    # after the due date, before the latest extension: refused, nothing written
    with pytest.raises(release.ReleaseError):
        release.solutions(LAB, tmp_path / "out", course_toml=course_with_extension, now=LATEST - timedelta(minutes=1))
    assert not (tmp_path / "out").exists()
    # the lab due last, refused on the command line while it is not yet due
    late_lab = course_mod.load().labs[-1]
    if late_lab.due > datetime.now(late_lab.due.tzinfo):
        code = cli.main(["release", "--course", str(course_with_extension), "--solutions", late_lab.id,
                         "--bundle", str(tmp_path / "sol")])
        err = capsys.readouterr().err
        assert code == 2
        assert err == (f"autograder: --solutions {late_lab.id}: refused until {late_lab.due.isoformat()} (the due "
                       f"date or its latest extension in {course_with_extension}); run it again after that\n")
        assert not (tmp_path / "sol").exists()


def test_do_solutions_wait_for_the_latest_extension_not_the_first(course_with_extension, tmp_path):
    assert release.solutions_open(course_mod.load(course_with_extension), LAB) == LATEST
    written = release.solutions(LAB, tmp_path / "out", course_toml=course_with_extension, now=LATEST)
    assert written == tmp_path / "out" / LAB / f"{LAB}.ipynb"


def test_does_the_worked_notebook_run_top_to_bottom_without_hidden_checks(tmp_path):
    from nbclient import NotebookClient

    written = release.solutions(LAB, tmp_path / "out", now=DUE + timedelta(seconds=1))
    nb = nbformat.read(written, as_version=4)
    text = "\n".join(cell.source for cell in nb.cells)
    for marker in ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "run_here", "BEGIN SOLUTION", "END SOLUTION"):
        assert marker not in text, marker
    assert not any("raise NotImplementedError" in c.source for c in nb.cells if c.cell_type == "code")
    assert 'q_perceptron = "b"' in text  # the worked answer is there
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    env_free_of_grader = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute(env=env_free_of_grader)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []


def test_do_solutions_go_out_through_the_exchange_as_their_own_assignment(tmp_path):
    released = release.exchange_solutions(LAB, root=tmp_path / "exchange", now=DUE + timedelta(seconds=1))
    course_id = course_mod.load().id
    assert released == tmp_path / "exchange" / course_id / "outbound" / f"{LAB}_solutions"
    worked = nbformat.read(released / f"{LAB}.ipynb", as_version=4)
    assert "run_here" not in "\n".join(c.source for c in worked.cells)


# (the tests of the students' environment without nbgrader's instructor tools are at the end)


def test_does_the_command_line_put_the_worked_notebook_in_a_bundle_zip_after_the_deadline(tmp_path, capsys):
    import zipfile

    assert DUE < datetime.now(DUE.tzinfo)  # lab 1 is past its due date (course.toml has no extensions)
    assert cli.main(["release", "--solutions", LAB, "--bundle", str(tmp_path / "sol")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [f"wrote {tmp_path / 'sol' / LAB / f'{LAB}.ipynb'}", f"wrote {tmp_path / 'sol.zip'}"]
    with zipfile.ZipFile(tmp_path / "sol.zip") as zipped:
        assert zipped.namelist() == [f"sol/{LAB}/{LAB}.ipynb"] or sorted(zipped.namelist())[-1] == f"sol/{LAB}/{LAB}.ipynb"
        assert b"run_here" not in zipped.read(f"sol/{LAB}/{LAB}.ipynb")


# --- the students' environment: nbgrader's instructor tools off, the students' tools on ---------

def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _StudentsLab:
    """`labs-env/bin/jupyter lab` started in the bundle's folder, as its README says; spoken to over HTTP."""

    def __init__(self, folder: Path):
        self.port, self.token = _free_port(), "student-token"
        root = ["--allow-root"] if os.geteuid() == 0 else []  # this machine's tests run as root; students do not
        self.log = folder.parent / "jupyter-lab.log"  # a file, not a pipe: the server's log would fill a pipe and stall it
        with self.log.open("a") as log:
            self.proc = subprocess.Popen([str(folder / "labs-env" / "bin" / "jupyter"), "lab", "--no-browser",
                                          f"--port={self.port}", "--ServerApp.port_retries=0",
                                          f"--IdentityProvider.token={self.token}", *root],
                                         cwd=folder, env=dict(STUDENT_ENV, HOME=str(folder.parent), PATH="/usr/bin:/bin"),
                                         stdout=log, stderr=log)

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        import urllib.error
        import urllib.parse
        import urllib.request

        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/{path}", data=body,
                                     headers={"Authorization": f"token {self.token}"})
        try:
            with urllib.request.urlopen(req, timeout=300) as answer:
                return answer.status, answer.read(1_000_000).decode()
        except urllib.error.HTTPError as exc:
            return exc.code, ""

    def __enter__(self):
        import time
        import urllib.error

        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text()[-2000:]
            try:
                if self.request("api/status")[0] == 200:
                    return self
            except (urllib.error.URLError, ConnectionError):
                pass
            time.sleep(1)
        raise AssertionError("the students' JupyterLab did not answer within 180 s")

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _answer(notebook: dict, grade_id: str, source: str) -> None:
    cell = next(c for c in notebook["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id)
    cell["source"] = source


def _failed(validated: dict) -> list[tuple[str, str]]:
    """The Validate dialog's "The following cell failed:" entries: (the cell's first line, its error's last line)."""
    import re

    assert validated["success"] is True, validated
    return [(entry["source"].splitlines()[0], re.sub(r"\x1b\[[0-9;]*m", "", entry["raw_error"]).splitlines()[-1])
            for entry in validated["value"].get("failed", [])]


@pytest.mark.xdist_group("students_lab")  # one pip-installed environment for both
def test_does_the_students_jupyterlab_hide_create_assignment_and_formgrader_and_keep_validate_and_assignments(
        students_bundle, tmp_path):
    etc = students_bundle / "labs-env" / "etc" / "jupyter"
    # pip turned formgrader's server side on in the environment; student_env.py's file, read after it, turns it off
    installed = json.loads((etc / "jupyter_server_config.d" / "nbgrader.json").read_text())
    assert installed["ServerApp"]["jpserver_extensions"]["nbgrader.server_extensions.formgrader"] is True
    # the Assignments tab lists what the exchange holds: lab 1 released into one, named in the student's config
    course = course_mod.load()
    release._to_exchange(course, LAB, ROOT, tmp_path / "exchange")
    (students_bundle / "nbgrader_config.py").write_text(f"c.Exchange.root = {str(tmp_path / 'exchange')!r}\n")
    with _StudentsLab(students_bundle) as lab:
        assert lab.request("formgrader")[0] == 404  # no formgrader pages at all
        status, page = lab.request("lab")
        assert status == 200
        config = json.loads(page.split('<script id="jupyter-config-data" type="application/json">')[1].split("</script>")[0])
        assert sorted(config["disabledExtensions"]) == ["@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:formgrader"]
        status, listed = lab.request(f"assignments?course_id={course.id}")
        assert status == 200
        # listed from the exchange; "fetched", since the bundle's folder (the server's) already holds lab 1
        assert [(a["assignment_id"], a["status"]) for a in json.loads(listed)["value"]] == [(LAB, "fetched")]
        status, validated = lab.request("assignments/validate", {"path": f"{LAB}/{LAB}.ipynb"})
        assert status == 200
        assert json.loads(validated)["success"] is True


@pytest.mark.xdist_group("students_lab")  # one pip-installed environment for both
def test_does_the_validate_button_say_what_the_bundle_readme_says(students_bundle):
    """The Validate button's dialog shows only nbgrader's "failed" entries (its lab extension writes the rest):
    an unanswered question says "not answered", an empty written answer nbgrader's "You did not provide a
    response.", and an answered question or written answer is not listed, never "failed"."""
    readme = (students_bundle / "README.md").read_text()
    for words in ("The following cell failed:", "not answered", "You did not provide a response.",
                  "Success! Your notebook passes all the tests."):
        assert words in " ".join(readme.split()), words
    notebook = json.loads((students_bundle / LAB / f"{LAB}.ipynb").read_text())
    with _StudentsLab(students_bundle) as lab:
        empty = _failed(json.loads(lab.request("assignments/validate", {"path": f"{LAB}/{LAB}.ipynb"})[1]))
        _answer(notebook, "solution_q_perceptron", 'q_perceptron = "a"')
        _answer(notebook, "reflection_1", "The step function has no useful derivative, so no gradient flows.")
        (students_bundle / LAB / "answered.ipynb").write_text(json.dumps(notebook))
        answered = _failed(json.loads(lab.request("assignments/validate", {"path": f"{LAB}/answered.ipynb"})[1]))
    question = 'assert "q_perceptron" in globals(), "q_perceptron: not answered (set it to one letter, as a string, such as \\"a\\")"'
    not_answered = (question, 'AssertionError: q_perceptron: not answered (set it to one letter, as a string, such as "a")')
    no_response = ("YOUR ANSWER HERE", "You did not provide a response.")
    assert empty.count(not_answered) == 1
    assert empty.count(no_response) == 3  # the three reflections
    # "a" has the right form: only the hidden check knows it is wrong, so the dialog does not list it;
    # the filled reflection is not listed either; the unwritten functions' checks stay as they were
    assert not_answered not in answered
    assert answered.count(no_response) == 2
    others = [entry for entry in empty if entry not in (not_answered, no_response)]
    assert len(others) == 10 and all(error.startswith("NotImplementedError: ") for _, error in others)
    assert [entry for entry in answered if entry not in (not_answered, no_response)] == others


def test_does_student_env_here_turn_the_tools_off_in_an_existing_environment_keeping_its_config(tmp_path):
    """A JupyterHub's student image (or a student's conda environment) runs `python student_env.py --here`."""
    image = tmp_path / "image"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(image)], check=True)
    etc = image / "etc" / "jupyter"
    (etc / "labconfig").mkdir(parents=True)
    (etc / "labconfig" / "page_config.json").write_text('{"disabledExtensions": {"@acme/theme": true}, "x": 1}')
    (etc / "jupyter_server_config.json").write_text('{"ServerApp": {"jpserver_extensions": {"acme": true}, "ip": "0.0.0.0"}}')
    done = subprocess.run([str(image / "bin" / "python"), str(ROOT / "autograder" / "student_env.py"), "--here"],
                          env=STUDENT_ENV, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads((etc / "labconfig" / "page_config.json").read_text()) == {
        "disabledExtensions": {"@acme/theme": True, "@jupyter/nbgrader:create-assignment": True,
                               "@jupyter/nbgrader:formgrader": True}, "x": 1}
    assert json.loads((etc / "jupyter_server_config.json").read_text()) == {
        "ServerApp": {"jpserver_extensions": {"acme": True, "nbgrader.server_extensions.formgrader": False},
                      "ip": "0.0.0.0"}}


def test_does_the_exchange_release_tell_the_instructor_how_the_hub_image_hides_the_tools(tmp_path, capsys):
    assert cli.main(["release", "--exchange", "--exchange-root", str(tmp_path / "exchange"), LAB]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"released {tmp_path / 'exchange' / course_mod.load().id / 'outbound' / LAB}",
        "students' JupyterLab must not show nbgrader's instructor tools: in the hub's student image run "
        f"`python student_env.py --here` (the file is {ROOT / 'autograder' / 'student_env.py'})"]


def test_does_validate_py_say_answered_for_a_written_answer_and_not_answered_for_an_empty_one(tmp_path):
    from autograder import validate

    notebook = json.loads((ROOT / "release" / LAB / f"{LAB}.ipynb").read_text())
    _answer(notebook, "reflection_2", "The step's derivative is zero almost everywhere, so no error reaches w.")
    (tmp_path / f"{LAB}.ipynb").write_text(json.dumps(notebook))
    outcome = {c.grade_id: c.outcome for c in validate.run_visible_checks(tmp_path / f"{LAB}.ipynb")}
    assert [(gid, outcome[gid]) for gid in ("q_perceptron", "reflection_1", "reflection_2", "reflection_3")] == [
        ("q_perceptron", "not answered"), ("reflection_1", "not answered"),
        ("reflection_2", "answered (checked when graded)"), ("reflection_3", "not answered")]
    # and only those: the functions' checks are not attempted, none "passed" and none "failed"
    assert sorted(set(outcome.values())) == ["answered (checked when graded)", "not answered", "not attempted"]
