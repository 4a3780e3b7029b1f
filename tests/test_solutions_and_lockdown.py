"""After the deadline students get the worked notebook (runnable, no hidden checks), and never
before the lab's due date and its latest extension; students' JupyterLab hides nbgrader's
instructor tools."""
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


def test_does_the_bundle_readme_disable_nbgrader_instructor_tools(tmp_path):
    zipped = release.bundle(tmp_path / "labs", labs=[LAB])
    readme = (tmp_path / "labs" / "README.md").read_text()
    for line in release.lockdown_commands():
        assert line in readme
    assert zipped.exists()


def test_do_the_lockdown_commands_hide_create_assignment_and_formgrader_in_the_students_env(tmp_path):
    # a throwaway environment on top of this one's packages: the commands write only into its prefix
    env_dir = tmp_path / "labs-env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True)
    site = next(Path(sys.prefix).glob("lib/python3*/site-packages"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "VIRTUAL_ENV"))}
    env.update(PYTHONPATH=str(site), HOME=str(tmp_path / "home"), JUPYTER_PLATFORM_DIRS="1")
    python = env_dir / "bin" / "python"
    # each command as its console script would run it, but with the throwaway env's python
    for line in release.lockdown_commands(""):
        words = line.split()
        assert words[:3] == ["jupyter", "labextension", "disable"]
        done = subprocess.run([str(python), "-m", "jupyterlab.labextensions", *words[2:]], env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    page_config = json.loads((env_dir / "etc" / "jupyter" / "labconfig" / "page_config.json").read_text())
    assert page_config["disabledExtensions"] == {"@jupyter/nbgrader:create-assignment": True,
                                                 "@jupyter/nbgrader:formgrader": True}
    # what JupyterLab reads from this environment at start: the two instructor plugins off, nothing else
    assert "@jupyter/nbgrader:validate-assignment" not in page_config["disabledExtensions"]


def test_does_the_command_line_put_the_worked_notebook_in_a_bundle_zip_after_the_deadline(tmp_path, capsys):
    import zipfile

    assert DUE < datetime.now(DUE.tzinfo)  # lab 1 is past its due date (course.toml has no extensions)
    assert cli.main(["release", "--solutions", LAB, "--bundle", str(tmp_path / "sol")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [f"wrote {tmp_path / 'sol' / LAB / f'{LAB}.ipynb'}", f"wrote {tmp_path / 'sol.zip'}"]
    with zipfile.ZipFile(tmp_path / "sol.zip") as zipped:
        assert zipped.namelist() == [f"sol/{LAB}/{LAB}.ipynb"] or sorted(zipped.namelist())[-1] == f"sol/{LAB}/{LAB}.ipynb"
        assert b"run_here" not in zipped.read(f"sol/{LAB}/{LAB}.ipynb")
