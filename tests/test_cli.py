"""The command line as a new TA meets it: every bad input gets one line naming the file, the value
and the fix, and the right exit code (0 done, 2 bad input); every verb takes --course; --version;
the demo secret is announced and refused in CI; resume, an empty class and an unexpected layout
each get their own message; without a terminal, one line per finished notebook.

Nothing here runs a student's notebook: the one class graded is made of missing notebooks."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder import __version__, cli
from autograder import course as course_mod
from tests.grading import course_toml_for_tests

ROOT = course_mod.ROOT
LAB = "lab1_gradients"
POINTS = course_mod.load().lab(LAB).points


def run(argv, capsys) -> tuple[int, str, str]:
    try:
        code = cli.main([str(a) for a in argv])
    except SystemExit as exc:  # argparse: --version, usage errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def course_with(tmp_path: Path, old: str, new: str, *, source: bool = True) -> Path:
    """A copy of the course whose course.toml has the first `old` replaced by `new`."""
    text = course_toml_for_tests().read_text()
    assert old in text, old
    (tmp_path / "course.toml").write_text(text.replace(old, new, 1))
    if source:
        (tmp_path / "source").symlink_to(ROOT / "source")
    return tmp_path / "course.toml"


def test_does_version_print_the_package_version(capsys):
    assert run(["--version"], capsys) == (0, f"autograder {__version__}\n", "")


BAD_COURSES = [
    ('id = "how-brains-learn"', 'id = "how-brains-learn', "not valid TOML: Illegal character '\\n' (at line 5, column 23)"),
    ('due = "2026-12-04T23:59:00+00:00"', 'due = "2026-12-32T23:59:00+00:00"',
     "lab 'lab1_gradients': due = '2026-12-32T23:59:00+00:00' is not a date and time: write it like "
     "'2026-12-18T23:59:00+00:00'"),
    ('due = "2026-12-11T23:59:00+00:00"', 'due = "2026-12-11T23:59:00"',
     "lab 'lab2_delta_rule': due = '2026-12-11T23:59:00' has no UTC offset: write it like '2026-12-18T23:59:00+00:00'"),
    (f"points = {POINTS:g}", 'points = "twenty"',
     "lab 'lab1_gradients': points = 'twenty' is not a number: write a number without quotes"),
    (f"points = {POINTS:g}", f"points = {POINTS + 5:g}",
     f"lab 'lab1_gradients': points = {POINTS + 5:g} but the graded cells (autograded and manually graded) of "
     f"source/lab1_gradients/lab1_gradients.ipynb add up to {POINTS:g}: make them agree (course.toml says "
     f"{POINTS + 5:g})"),
    ('id = "lab3_backprop"', 'id = "lab3_backprob"',
     "lab 'lab3_backprob': id names no folder source/lab3_backprob/ (there are: lab1_gradients, lab2_delta_rule, "
     "lab3_backprop, lab4_feedback_alignment, lab5_dendritic_quiz): fix the id or create the lab"),
    ("cell_timeout = 30", "cell_timeout = -5",
     "[grading]: cell_timeout = -5 is out of range: use a number above 0 and at most 86400"),
    ("memory_limit_mb = 3072", "memory_limit_mb = 3072.5",
     "[grading]: memory_limit_mb = 3072.5 is not a whole number: write a whole number without quotes"),
    ("penalty_per_day = 0.1", "penalty_per_day = 10",
     "[late]: penalty_per_day = 10 is out of range: use a number at least 0 and at most 1"),
    ('title = "Gradients by hand"', 'title = "Gradients by hand"\ncanvas-id = 5',
     "line 14: canvas-id: unknown key in [[labs]]; did you mean canvas_id?"),
    ('title = "Gradients by hand"', 'title = "Gradients by hand"\ncanvas_id = "5"',
     "lab 'lab1_gradients': canvas_id = '5' must be the Canvas assignment's number, without quotes (the digits at "
     "the end of the assignment's address, .../assignments/12345)"),
    ('timezone = "UTC"', 'timezone = "Mars/Olympus"',
     "[course]: timezone = 'Mars/Olympus' is not a time zone: use a name like 'UTC' or 'Europe/Berlin'"),
    ("eps = 1e-6", "eps = 0",
     "[tolerances.gradient_check]: eps = 0 is out of range: use a number above 0 and at most 1"),
    ("[tolerances.gradient_check]\neps = 1e-6\nrtol = 1e-4\natol = 1e-7\n", "",
     "[tolerances.gradient_check]: is needed, with eps, rtol and atol (eps = 1e-6, rtol = 1e-4, atol = 1e-7 check "
     "a float64 gradient)"),
]


@pytest.mark.parametrize("old,new,message", BAD_COURSES, ids=[m[:40] for _, _, m in BAD_COURSES])
def test_does_every_verb_refuse_a_bad_course_toml_naming_file_lab_and_key(tmp_path, capsys, old, new, message):
    toml = course_with(tmp_path, old, new)
    for argv in (["grade", tmp_path, "--out", tmp_path / "out"], ["report", tmp_path], ["export", tmp_path],
                 ["merge", tmp_path, "--out", tmp_path / "m"], ["release", "--bundle", tmp_path / "b"],
                 ["collect", tmp_path / "x.zip", "--lms", "canvas", "--out", tmp_path / "s"]):
        code, out, err = run([*argv, "--course", toml], capsys)
        assert (code, out) == (2, ""), argv
        assert err.startswith(f"autograder: {toml}: "), (argv, err)
        assert err.count("\n") == 1, err
        assert message in err, err


def test_is_a_missing_course_file_named_with_the_fix(tmp_path, capsys):
    assert run(["report", tmp_path, "--course", tmp_path / "nope.toml"], capsys) == (
        2, "", f"autograder: no course description at {tmp_path / 'nope.toml'}: pass --course path/to/course.toml\n")


def test_is_the_course_read_once_per_process_and_again_only_when_it_changed(tmp_path, monkeypatch):
    import tomllib
    from types import SimpleNamespace

    reads = []
    monkeypatch.setattr(course_mod, "tomllib", SimpleNamespace(
        loads=lambda text: reads.append(1) or tomllib.loads(text), TOMLDecodeError=tomllib.TOMLDecodeError))
    toml = course_with(tmp_path, 'title = "Gradients by hand"', 'title = "Gradients by hand"')
    first, second = course_mod.load(toml, secret="one"), course_mod.load(toml, secret="two")
    assert len(reads) == 1
    assert (first.secret, second.secret) == ("one", "two") and first.labs == second.labs
    toml.write_text(toml.read_text().replace('title = "Gradients by hand"', 'title = "Gradients, by hand"'))
    assert course_mod.load(toml, secret="one").lab("lab1_gradients").title == "Gradients, by hand"
    assert len(reads) == 2


def _class(tmp_path: Path, students=("ann",)) -> Path:
    """A class whose students submitted nothing for lab 1 (status missing: no kernel to run)."""
    for s in students:
        (tmp_path / "submitted" / s / LAB).mkdir(parents=True)
    return tmp_path / "submitted"


def grade(argv, capsys, monkeypatch, *, secret="s3cret", ci=None):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("AUTOGRADER_SECRET", raising=False)
    if secret:
        monkeypatch.setenv("AUTOGRADER_SECRET", secret)
    if ci:
        monkeypatch.setenv("CI", ci)
    return run(["grade", *argv, "--labs", LAB, "--workers", "1", "--course", course_toml_for_tests()], capsys)


def test_do_an_empty_class_a_flat_layout_and_a_zip_each_get_their_own_message(tmp_path, capsys, monkeypatch):
    layout = "the layout is <student_id>/<lab_id>/<lab_id>.ipynb"
    (tmp_path / "empty").mkdir()
    assert grade([tmp_path / "empty", "--out", tmp_path / "o"], capsys, monkeypatch) == (
        2, "", f"autograder: {tmp_path / 'empty'}: no student folders, the class is empty: {layout}\n")
    flat = tmp_path / "flat" / "ann" / f"{LAB}.ipynb"
    flat.parent.mkdir(parents=True)
    flat.write_text("{}")
    assert grade([tmp_path / "flat", "--out", tmp_path / "o"], capsys, monkeypatch) == (
        2, "", f"autograder: {flat}: not in a {LAB}/ folder: move it to ann/{LAB}/{LAB}.ipynb ({layout})\n")
    top = tmp_path / "top"
    top.mkdir()
    (top / f"{LAB}.ipynb").write_text("{}")
    assert grade([top, "--out", tmp_path / "o"], capsys, monkeypatch) == (
        2, "", f"autograder: {top}: {LAB}.ipynb is not in a student's folder: {layout}\n")
    archive = tmp_path / "submissions.zip"
    zipfile.ZipFile(archive, "w").close()
    assert grade([archive, "--out", tmp_path / "o"], capsys, monkeypatch) == (
        2, "", f"autograder: {archive} is a zip: unpack it into nbgrader's layout first with `autograder collect "
               f"{archive} --lms canvas|moodle --out SUBMISSIONS`\n")
    assert grade([tmp_path / "nowhere", "--out", tmp_path / "o"], capsys, monkeypatch) == (
        2, "", f"autograder: no submissions folder at {tmp_path / 'nowhere'}\n")
    assert run(["grade", tmp_path / "empty", "--out", tmp_path / "o", "--labs", "lab9"], capsys) == (
        2, "", "autograder: unknown lab 'lab9': course.toml has lab1_gradients, lab2_delta_rule, lab3_backprop, "
               "lab4_feedback_alignment, lab5_dendritic_quiz\n")


DEMO = course_mod.load(course_toml_for_tests(), secret=None)  # the demo secret unless the environment sets one
ENV = "AUTOGRADER_SECRET"
WARNING = (f"autograder: WARNING: {ENV} is not set: grading with course.toml's demo secret, so anyone who reads "
           f"course.toml can predict the hidden inputs. Set {ENV} for a real class.")


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> tuple[Path, Path, subprocess.CompletedProcess]:
    """ann and bob submitted nothing for lab 1, graded in CI with the demo secret allowed, in a
    subprocess whose stderr is not a terminal: (submissions, out, the process)."""
    tmp = tmp_path_factory.mktemp("cli")
    sub = _class(tmp, ("ann", "bob"))
    env = dict(os.environ, CI="true")
    env.pop(ENV, None)
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(sub), "--out", str(tmp / "out"),
                           "--labs", LAB, "--workers", "1", "--allow-demo-secret",
                           "--course", str(course_toml_for_tests())],
                          capture_output=True, text=True, env=env, timeout=300)
    return sub, tmp / "out", proc


def test_without_a_terminal_is_there_one_line_per_notebook_and_a_line_naming_who_is_not_ok(graded):
    _, out, proc = graded
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert lines[0] == WARNING
    assert sorted(line.split("] ")[1] for line in lines[1:]) == [f"ann {LAB} 0/{POINTS:g} missing",
                                                               f"bob {LAB} 0/{POINTS:g} missing"]
    assert [line.split("]")[0] for line in lines[1:]] == ["[1/2", "[2/2"]
    assert proc.stdout.splitlines()[-1] == f"not ok: ann {LAB} missing, bob {LAB} missing"


def test_does_grading_refuse_the_demo_secret_in_ci_and_warn_outside(graded, tmp_path, capsys, monkeypatch):
    sub, graded_out, _ = graded
    assert grade([sub, "--out", tmp_path / "out"], capsys, monkeypatch, secret=None, ci="true") == (
        2, "", f"autograder: {ENV} is not set and CI is: refusing to grade a real class with course.toml's demo "
               f"secret. Set {ENV} (a repository secret), or pass --allow-demo-secret for a demo.\n")
    assert not (tmp_path / "out").exists()
    out = tmp_path / "copy"
    shutil.copytree(graded_out, out)  # same secret: resumed, nothing regraded
    code, _, err = grade([sub, "--out", out, "--quiet"], capsys, monkeypatch, secret=None)
    assert (code, err) == (0, WARNING + "\n")
    code, _, err = grade([sub, "--out", out, "--quiet"], capsys, monkeypatch, secret=DEMO.secret, ci="true")
    assert (code, err) == (0, "")


def test_does_a_resumed_class_with_nothing_left_exit_0_and_rewrite_the_tables(graded, tmp_path, capsys, monkeypatch):
    sub, graded_out, _ = graded
    out = tmp_path / "out"
    shutil.copytree(graded_out, out)
    first = (out / "grades.csv").read_text()
    (out / "grades.csv").unlink()
    (out / "cells.csv").unlink()
    code, stdout, err = grade([sub, "--out", out, "--quiet"], capsys, monkeypatch, secret=DEMO.secret)
    assert (code, err) == (0, "")
    assert re.fullmatch(rf"sandbox: [^\n]+\ngraded 2 submissions \(2 missing; 2 unchanged since the last run\) in [0-9.]+ s: "
                        rf"{re.escape(str(out / 'grades.csv'))}\nnot ok: ann {LAB} missing, bob {LAB} missing\n", stdout)
    assert (out / "grades.csv").read_text() == first
    assert first.splitlines()[1:] == [f"ann,{LAB},0,0,0,{POINTS:g},missing,", f"bob,{LAB},0,0,0,{POINTS:g},missing,"]
    assert (out / "cells.csv").exists()


def test_does_export_name_the_lab_without_a_canvas_id(graded, tmp_path, capsys):
    _, out, _ = graded
    toml = course_toml_for_tests()
    assert run(["export", out, "--format", "canvas", "--course", toml], capsys) == (
        2, "", f"autograder: {toml.resolve()}: lab '{LAB}': no canvas_id: add `canvas_id = <number>` (the digits at the "
               "end of the assignment's Canvas address), or Canvas makes a new assignment\n")
    roster = tmp_path / "roster.csv"
    roster.write_text("login,ID\nann,1\n")
    assert run(["export", out, "--format", "moodle", "--roster", roster, "--course", toml], capsys) == (
        2, "", f"autograder: roster {roster}: no student_id column (found: login, ID): add one with nbgrader's "
               "student ids, beside any of Student, ID, SIS User ID, SIS Login ID, Section, Full name, Email address, "
               "Username, ID number, or give the LMS's own export unedited (Canvas's gradebook, Moodle's "
               "participants)\n")


def test_does_validate_say_what_is_wrong_with_its_input(tmp_path, capsys):
    assert run(["validate", tmp_path / "lab.ipynb"], capsys) == (
        2, "", f"autograder: no notebook at {tmp_path / 'lab.ipynb'}: give the path to your .ipynb file\n")
    (tmp_path / "lab.ipynb").write_text('{"cells": [')
    assert run(["validate", tmp_path / "lab.ipynb"], capsys) == (
        2, "", f"autograder: {tmp_path / 'lab.ipynb'} is not a readable notebook (NotJSONError): open it in "
               "JupyterLab and save it again\n")
