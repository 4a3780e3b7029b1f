"""The grader itself: a dying worker, a killed run, a second run, another secret."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from autograder import course as course_mod
from autograder.grade import pipeline, unit
from autograder.grade.unit import UnitJob
from autograder.release import graded_points
from tests import corpus
from tests.grading import build_class, course_toml_for_tests, grade, read_csv

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


def test_does_a_dying_workers_row_hold_the_same_cells_as_a_missing_notebooks_row(tmp_path):
    """A row the grader could not grade lists every cell of the lab, written answers included, as a
    row with nothing to grade does: the TA's table and the gradebook see the same cells either way."""
    course = course_mod.load()
    (tmp_path / "bob").mkdir()
    job = UnitJob(student="bob", lab=LAB, submissions=str(tmp_path), course_toml=str(course.path),
                  secret=course.secret, hide=(), template_db="")
    failed = next(iter(pipeline._grade_all([job], 1, course, grade=fake_grade)))
    missing = unit.grade_unit(job)
    assert (failed["status"], missing["status"]) == ("error", "missing")
    shape = [(c["grade_id"], c["max_score"], c.get("manual", False)) for c in missing["cells"]]
    assert [(c["grade_id"], c["max_score"], c.get("manual", False)) for c in failed["cells"]] == shape
    assert any(manual for _, _, manual in shape)  # lab 3 has written answers: the cells that went missing
    assert failed["score"] == 0 and failed["max_score"] == missing["max_score"] == course.lab(LAB).points


def _small_class(folder: Path, names=("right", "blank", "backward_sign_error", "loss_mean_not_sum")) -> Path:
    return build_class([c for c in corpus.cases(LAB) if c.name in names], folder)


@pytest.mark.xdist_group("lab3_backprop")
def test_does_a_killed_run_resume_and_end_with_every_row(tmp_path):
    submissions = _small_class(tmp_path / "submitted")
    grade(submissions, tmp_path / "clean", labs=[LAB])
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "autograder", "grade", str(submissions), "--out", str(out), "--labs", LAB,
           "--workers", "1", "--quiet", "--course", str(course_toml_for_tests())]
    # its own TMPDIR, removed at the end: a grader killed mid-notebook cannot remove its kernel's
    # working folder; traversable, or that folder goes to /tmp (bwrap must reach it as the kernel's uid)
    private_tmp = Path(tempfile.mkdtemp(prefix="agkilled-", dir="/tmp"))
    private_tmp.chmod(0o711)
    # and its own /dev/shm and PID namespace where it can: multiprocessing's semaphores of a
    # SIGKILLed grader are never unlinked (its resource tracker dies with it), and would stay in the
    # machine's /dev/shm; the kernels its workers leave (bwrap dies with its parent) are reaped
    # when the namespace ends, not left as zombies of whichever process is a subreaper here (this
    # test process is one after the hostile-class test, and checks for them)
    private_shm = ["unshare", "--mount", "--pid", "--fork", "--kill-child", "--mount-proc", "--propagation",
                   "private", "sh", "-c", 'mount -t tmpfs -o size=256m tmpfs /dev/shm && exec "$@"', "sh"]
    if os.geteuid() == 0 and shutil.which("unshare") and subprocess.run([*private_shm, "true"]).returncode == 0:
        cmd = [*private_shm, *cmd]
    proc = subprocess.Popen(cmd, start_new_session=True, env={**os.environ, "TMPDIR": str(private_tmp)})
    units = out / ".units"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(units.glob("*/*.json"))) < 1:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)  # the grader and its workers and kernels, mid-class
    proc.wait()
    _remove_when_its_writers_are_gone(private_tmp)
    done_before = len(list(units.glob("*/*.json")))
    assert 1 <= done_before < 4
    assert not (out / "gradebook.db").exists()
    summary = grade(submissions, out, labs=[LAB])
    assert summary.reused == done_before
    assert (out / "cells.csv").read_text() == (tmp_path / "clean" / "cells.csv").read_text()
    assert (out / "grades.csv").read_text() == (tmp_path / "clean" / "grades.csv").read_text()


def _remove_when_its_writers_are_gone(folder, seconds=30.0):
    """rmtree, again while a killed class's kernels are still dying: they sit in their own process
    groups, ended by the kernel only once their PID namespace's init is gone, so one may still write
    into its working folder for a moment after the grader was reaped."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            shutil.rmtree(folder)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_does_the_secret_change_the_hidden_inputs():
    from autograder.checks.core import case_seed, draw_cases
    from autograder.strategies import three_layer_cases

    a = draw_cases(three_layer_cases(), n=5, seed_value=case_seed("secret-a", LAB, "backward"))
    again = draw_cases(three_layer_cases(), n=5, seed_value=case_seed("secret-a", LAB, "backward"))
    b = draw_cases(three_layer_cases(), n=5, seed_value=case_seed("secret-b", LAB, "backward"))
    flat = lambda cases: [x.tobytes() for p, X, T in cases for x in (*p.values(), X, T)]  # noqa: E731
    assert flat(a) == flat(again)
    assert flat(a) != flat(b)


HOSTILE = ("plants_links_for_the_grader", "writes_the_virtualenv", "hunts_the_disk_for_references",
           "attacks_other_processes", "leaves_a_detached_process", "stores_answers_in_shm", "looks_up_answers_in_shm",
           "forges_replies", "surrogates_in_errors", "calls_the_kernel_outside_the_sandbox")
ORDINARY = ("right", "blank")


def _snapshot(folder: str) -> dict:
    """Every file and folder of `folder`: type, mode, size, mtime and link target; the bytes of the
    files Python runs at start (.pth, *customize.py) and of bin/."""
    seen = {}
    for path, dirs, files in os.walk(folder):
        for name in dirs + files:
            p = os.path.join(path, name)
            st = os.lstat(p)
            entry = (st.st_mode, st.st_size, st.st_mtime_ns, os.readlink(p) if os.path.islink(p) else None)
            if name.endswith((".pth", "customize.py")) or os.path.basename(path) == "bin" and os.path.isfile(p):
                entry += (Path(p).read_bytes(),)
            seen[p] = entry
    return seen


def _sandbox_processes() -> list[str]:
    """Processes of a kernel's uid (zombies too) among this test process's descendants: it is made
    a subreaper first, so that whatever a kernel or a bwrap leaves stays its descendant, while the
    other test process grades a class of its own meanwhile, with kernels of its own."""
    from autograder.kernel.sandbox import UID_BASE, proc_stat

    parents = {int(p): stat[1] for p in os.listdir("/proc") if p.isdigit() and (stat := proc_stat(p))}

    def descends(pid: int) -> bool:
        while pid > 1:
            pid = parents.get(pid, 0)
            if pid == os.getpid():
                return True
        return False

    out = []
    for pid in parents:
        try:
            if os.stat(f"/proc/{pid}").st_uid >= UID_BASE and descends(pid):
                out.append(Path(f"/proc/{pid}/stat").read_text()[:60])
        except OSError:
            pass
    return out


@pytest.mark.xdist_group("lab1_gradients")
@pytest.mark.skipif(bool(__import__("autograder.kernel.sandbox", fromlist=["probe"]).probe()),
                    reason="bubblewrap cannot run here")
def test_does_a_hostile_class_leave_the_machine_and_its_classmates_untouched(tmp_path, monkeypatch):
    from autograder.kernel.sandbox import become_subreaper

    become_subreaper()  # whatever a kernel leaves behind stays under this process (see _sandbox_processes)
    lab = "lab1_gradients"
    tmp = Path(tempfile.mkdtemp(prefix="agtmp-", dir="/tmp"))  # the grader's own temporary folders
    tmp.chmod(0o711)
    monkeypatch.setenv("TMPDIR", str(tmp))
    cases = {c.name: c for c in corpus.cases(lab, every_lab=True, spread=False)}
    chosen = [cases[n] for n in ORDINARY] + [cases[f"every_lab_{n}"] for n in HOSTILE]
    submissions = build_class(chosen, tmp_path / "submitted")
    before_sub = {p: p.read_bytes() for p in submissions.rglob("*") if p.is_file()}
    venvs = [sys.prefix, sys.base_prefix]
    before = [_snapshot(v) for v in venvs]
    shm_before = set(os.listdir("/dev/shm"))
    grade(submissions, tmp_path / "first", labs=[lab])
    grade(submissions, tmp_path / "second", labs=[lab])
    rows = {r["student_id"]: r for r in read_csv(tmp_path / "first" / "grades.csv")}
    points = graded_points(course_mod.load().lab(lab).source_notebook())
    for case in chosen:
        row = rows[case.name]
        assert (row["status"], sorted(f for f in row["flags"].split(";") if f)) == (
            case.expect_status, case.expected_flags(points)), case.name
    cells = read_csv(tmp_path / "first" / "cells.csv")
    for case in chosen:  # the written answers wait for a TA: 0 for everyone, not a failed check
        got = {r["grade_id"]: float(r["score"]) for r in cells
               if r["student_id"] == case.name and not r["grade_id"].startswith("reflection")}
        assert {g for g, s in got.items() if s == 0} == set(case.expect_failing), case.name
    assert (tmp_path / "first" / "cells.csv").read_bytes() == (tmp_path / "second" / "cells.csv").read_bytes()
    # the machine: virtualenv and interpreter, classmates' files, processes, /tmp, /dev/shm
    assert [_snapshot(v) for v in venvs] == before
    assert {p: p.read_bytes() for p in submissions.rglob("*") if p.is_file()} == before_sub
    assert _sandbox_processes() == []
    assert [n for n in os.listdir(tmp) if n != "autograder-hypothesis"] == []  # the checks' own, in the grader
    left = [n for n in set(os.listdir("/dev/shm")) - shm_before
            if n in ("answers.pkl", "daemon") or os.stat(f"/dev/shm/{n}").st_uid >= 1_000_000]
    assert left == []
    # no feedback page shows a grader path, check code or a traceback
    for page in (tmp_path / "first" / "feedback").rglob("*.html"):
        text = page.read_text()
        for leak in ("Traceback", 'File "', str(course_mod.ROOT), sys.prefix, sys.base_prefix, "autograder/",
                     "CheckFailed(", "\udcff"):
            assert leak not in text, (page, leak)
    shutil.rmtree(tmp)


def _family(root: int) -> dict[int, tuple[str, int]]:
    """Every process descended from `root`: pid -> (its start time, its uid)."""
    children: dict[int, list[int]] = {}
    info = {}
    for name in os.listdir("/proc"):
        try:
            with open(f"/proc/{name}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            info[int(name)] = (fields[19], os.stat(f"/proc/{name}").st_uid)
            children.setdefault(int(fields[1]), []).append(int(name))
        except (OSError, ValueError, IndexError):
            continue
    found, todo = {}, [root]
    while todo:
        pid = todo.pop()
        for child in children.get(pid, []):
            if child in info:
                found[child] = info[child]
                todo.append(child)
    return found


def _made_by_workers(folder: Path) -> list[str]:
    """Not the grader's own: hypothesis's home (kept, checks/core.py), the gradebook template's
    scratch folder (being built as the workers start)."""
    return sorted(p.name for p in folder.iterdir()
                  if p.name != "autograder-hypothesis" and not p.name.startswith("ag-gen-"))


def _still_running(family: dict[int, tuple[str, int]]) -> dict[int, str]:
    running = {}
    for pid, (started, _) in family.items():
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                command = f.read(200).replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if fields[19] == started and fields[0] != "Z":
            running[pid] = command
    return running


@pytest.mark.xdist_group("lab3_backprop")
@pytest.mark.parametrize("kernels", ["forked", "fresh"])
def test_does_a_killed_grader_leave_no_worker_or_kernel_running_and_no_folder(tmp_path, kernels):
    """Only the grader's own process is SIGKILLed (the machine's OOM killer, a `kill -9` of its
    pid), not its process group: its workers end with it, and with them their kernels, their kernel
    template and every folder they made in TMPDIR. A pool's workers never learn that their parent
    has gone and would otherwise grade on, holding their kernels, until the machine restarts."""
    submissions = _small_class(tmp_path / "submitted")
    private_tmp = Path(tempfile.mkdtemp(prefix="agkilled-", dir="/tmp"))
    private_tmp.chmod(0o711)
    cmd = [sys.executable, "-m", "autograder", "grade", str(submissions), "--out", str(tmp_path / "out"),
           "--labs", LAB, "--workers", "2", "--quiet", "--course", str(course_toml_for_tests())]
    env = {**os.environ, "TMPDIR": str(private_tmp), "AUTOGRADER_KERNELS": kernels}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    family: dict[int, tuple[str, int]] = {}
    kernels_running: list[int] = []
    try:
        units = tmp_path / "out" / ".units"  # once a notebook is graded, the workers grade the next ones
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None and not list(units.glob("*/*.json")):
            time.sleep(0.1)
        while time.monotonic() < deadline and proc.poll() is None:
            family = _family(proc.pid)
            kernels_running = [pid for pid, command in _still_running(family).items()
                               if family[pid][1] >= 1_000_000 or "ipykernel" in command]
            if kernels_running:
                break
            time.sleep(0.1)
        assert proc.poll() is None and kernels_running, "no kernel started before the class ended"
        os.kill(proc.pid, signal.SIGKILL)  # the grader alone: its workers are not signalled
        proc.wait()
        deadline = time.monotonic() + 20
        while _still_running(family) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _still_running(family) == {}
        # what the workers made (kernel templates, kernels' and units' folders) is gone
        deadline = time.monotonic() + 10
        while _made_by_workers(private_tmp) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _made_by_workers(private_tmp) == []
    finally:  # whatever the test found left, it does not leave for the next
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        for pid in _still_running(family):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        for pid in family:  # where this test process is a subreaper (an earlier test made it one), the
            try:            # ended workers' processes became its zombies: reaped, not left for the next test
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        _remove_when_its_writers_are_gone(private_tmp)
