"""The grader itself: a dying worker, a killed run, a second run, another secret."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder import course as course_mod
from autograder.grade import pipeline
from autograder.grade.unit import UnitJob
from tests import corpus
from tests.grading import build_class, grade, course_toml_for_tests

LAB = "lab3_backprop"


def fake_grade(job: UnitJob) -> dict:
    """Stands in for grade_unit: the worker grading 'bob' dies as if the grader ran out of memory."""
    if job.student == "bob":
        os._exit(1)
    return {"student": job.student, "lab": job.lab, "status": "ok", "cells": [], "score": 1.0}


def test_does_a_dying_worker_cost_only_its_own_student():
    course = course_mod.load()
    jobs = [UnitJob(student=s, lab=LAB, submissions="", course_toml="", secret="", hide=(), template_db="")
            for s in ("ada", "bob", "cleo", "dev")]
    results = {r["student"]: r for r in pipeline._grade_all(jobs, 2, course, grade=fake_grade)}
    assert sorted(results) == ["ada", "bob", "cleo", "dev"]
    assert {s: r["status"] for s, r in results.items()} == {"ada": "ok", "bob": "error", "cleo": "ok", "dev": "ok"}


def _small_class(folder: Path, names=("right", "blank", "backward_sign_error", "loss_mean_not_sum")) -> Path:
    return build_class([c for c in corpus.cases(LAB) if c.name in names], folder)


@pytest.mark.xdist_group("lab3_backprop")
def test_does_a_killed_run_resume_and_end_with_every_row(tmp_path):
    submissions = _small_class(tmp_path / "submitted")
    grade(submissions, tmp_path / "clean", labs=[LAB])
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "autograder", "grade", str(submissions), "--out", str(out), "--labs", LAB,
           "--workers", "1", "--quiet", "--course", str(course_toml_for_tests())]
    proc = subprocess.Popen(cmd, start_new_session=True)
    units = out / ".units"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(units.glob("*/*.json"))) < 1:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)  # the grader and its workers and kernels, mid-class
    proc.wait()
    done_before = len(list(units.glob("*/*.json")))
    assert 1 <= done_before < 4
    assert not (out / "gradebook.db").exists()
    summary = grade(submissions, out, labs=[LAB])
    assert summary.reused == done_before
    assert (out / "cells.csv").read_text() == (tmp_path / "clean" / "cells.csv").read_text()
    assert (out / "grades.csv").read_text() == (tmp_path / "clean" / "grades.csv").read_text()


def test_does_the_secret_change_the_hidden_inputs():
    from autograder.checks.core import case_seed, draw_cases
    from autograder.strategies import three_layer_cases

    a = draw_cases(three_layer_cases(), n=5, seed_value=case_seed("secret-a", LAB, "backward"))
    again = draw_cases(three_layer_cases(), n=5, seed_value=case_seed("secret-a", LAB, "backward"))
    b = draw_cases(three_layer_cases(), n=5, seed_value=case_seed("secret-b", LAB, "backward"))
    flat = lambda cases: [x.tobytes() for p, X, T in cases for x in (*p.values(), X, T)]  # noqa: E731
    assert flat(a) == flat(again)
    assert flat(a) != flat(b)
