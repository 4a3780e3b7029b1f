"""Every checkout grades, and a grader that cannot start a kernel says why.

A newcomer clones wherever they like (/tmp, a home folder, a path with spaces) and runs `make
demo`; CI tools unpack under /tmp; some machines have no bubblewrap. The demo class is graded here
as each of them would grade it, and must give exactly `make demo`'s table. A machine where no kernel
can start stops `grade` with one line naming the cause and exit code 3, leaving nothing behind.

The checkout under /tmp and the masked bubblewrap are made in a private mount namespace (root,
as in CI), so the rest of the machine never sees them."""
from __future__ import annotations

import csv
import hashlib
import io
import os
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from autograder import course as course_mod
from autograder.grade import pipeline
from autograder.kernel import sandbox
from autograder.kernel.boundary import KernelDidNotStart, SandboxUnavailable, StudentKernel

ROOT = course_mod.ROOT
PYTHON = ROOT / ".venv" / "bin" / "python"
ROOTED = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("unshare"),
                            reason="a private mount namespace needs root and unshare (CI runs as root)")

# `make demo`'s table (tests/example_class.py), graded in bubblewrap from /work/main
DEMO = """\
student_id,lab,score,penalty,final,max_score,status,flags
ada_full_marks,lab1_gradients,20,0,20,25,ok,needs-manual-grade
ada_full_marks,lab2_delta_rule,20,0,20,25,ok,needs-manual-grade
ada_full_marks,lab3_backprop,20,0,20,25,ok,needs-manual-grade
ada_full_marks,lab4_feedback_alignment,20,0,20,25,ok,needs-manual-grade
ada_full_marks,lab5_dendritic_quiz,20,0,20,25,ok,needs-manual-grade
ben_partly_right,lab1_gradients,16,0,16,25,ok,needs-manual-grade
ben_partly_right,lab2_delta_rule,18,0,18,25,ok,needs-manual-grade
ben_partly_right,lab3_backprop,14,0,14,25,ok,needs-manual-grade
ben_partly_right,lab4_feedback_alignment,18.5,0,18.5,25,ok,needs-manual-grade
ben_partly_right,lab5_dendritic_quiz,18.5,0,18.5,25,ok,needs-manual-grade
cleo_blank,lab1_gradients,0,0,0,25,ok,needs-manual-grade
cleo_blank,lab2_delta_rule,0,0,0,25,ok,needs-manual-grade
cleo_blank,lab3_backprop,0,0,0,25,ok,needs-manual-grade
cleo_blank,lab4_feedback_alignment,0,0,0,25,ok,needs-manual-grade
cleo_blank,lab5_dendritic_quiz,0,0,0,25,ok,needs-manual-grade
dev_broken,lab1_gradients,0,0,0,25,unreadable,
dev_broken,lab2_delta_rule,0,0,0,25,unreadable,
dev_broken,lab3_backprop,0,0,0,25,unreadable,
dev_broken,lab4_feedback_alignment,0,0,0,25,unreadable,
dev_broken,lab5_dendritic_quiz,0,0,0,25,unreadable,
"""


def with_flag(table: str, flag: str) -> str:
    rows = list(csv.DictReader(io.StringIO(table)))
    for row in rows:
        row["flags"] = ";".join(sorted({*filter(None, row["flags"].split(";")), flag}))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def private_tmp() -> Path:
    """A TMPDIR of the test's own, that bwrap (the kernel's uid) can pass through: what grading
    leaves behind shows up here and nowhere else."""
    folder = Path(tempfile.mkdtemp(prefix="checkout-test-", dir="/tmp"))
    folder.chmod(0o755)
    return folder


def left_in(tmp: Path) -> list[str]:
    """What is in the test's TMPDIR besides hypothesis's home (the grader's own, checks/core.py)."""
    return sorted(p.name for p in tmp.iterdir() if p.name != "autograder-hypothesis")


def in_namespace(script: str, tmp: Path, timeout: int = 900) -> subprocess.CompletedProcess:
    env = {**os.environ, "TMPDIR": str(tmp)}
    env.pop("CI", None)
    return subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-euc", script],
                          capture_output=True, text=True, timeout=timeout, env=env)


def sandbox_line(stdout: str) -> str:
    """The grader's first line (after the example class's own)."""
    return next(line for line in stdout.splitlines() if line.startswith("sandbox: "))


def demo_script(checkout: str, folder: Path, sandbox_mode: str) -> str:
    q = shlex.quote
    return (f"cd {q(checkout)} && .venv/bin/python -m tests.example_class {q(str(folder / 'submitted'))} && "
            f".venv/bin/python -m autograder grade {q(str(folder / 'submitted'))} --out {q(str(folder / 'out'))} "
            f"--allow-demo-secret --sandbox {sandbox_mode} --workers 2")


@ROOTED
@pytest.mark.xdist_group("checkout_tmp")
def test_does_the_demo_class_grade_from_a_checkout_under_tmp_with_a_space_in_its_path():
    tmp = private_tmp()
    try:
        checkout = tmp / "my course checkout"  # the checkout (and its .venv) seen under /tmp, as a clone there
        checkout.mkdir()
        script = f"mount --bind {shlex.quote(str(ROOT))} {shlex.quote(str(checkout))} && " + demo_script(
            str(checkout), tmp / "class", "required")
        run = in_namespace(script, tmp)
        assert run.returncode == 0, run.stderr[-3000:]
        assert sandbox_line(run.stdout).startswith("sandbox: bubblewrap"), run.stdout
        assert (tmp / "class" / "out" / "grades.csv").read_text() == DEMO
        assert left_in(tmp) == ["class", "my course checkout"]  # no kernel left a folder
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@ROOTED
@pytest.mark.xdist_group("checkout_no_bwrap")
def test_does_the_demo_class_grade_right_without_bubblewrap():
    tmp = private_tmp()
    try:
        script = f"mount --bind /dev/null {shlex.quote(sandbox.bwrap_path())} && " + demo_script(
            str(ROOT), tmp / "class", "auto")
        run = in_namespace(script, tmp)
        assert run.returncode == 0, run.stderr[-3000:]
        assert sandbox_line(run.stdout) == (
            "sandbox: NONE (bwrap is not installed (Debian: apt-get install bubblewrap)): kernels get limits only; "
            "files and network are not hidden; every row is flagged no-sandbox")
        assert (tmp / "class" / "out" / "grades.csv").read_text() == with_flag(DEMO, "no-sandbox")
        assert left_in(tmp) == ["class"]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_does_the_probe_start_the_real_interpreter_and_name_bwraps_reason(monkeypatch):
    # an interpreter the sandbox cannot see: bubblewrap itself runs, the kernel could not
    monkeypatch.setattr(sandbox, "read_only_paths", lambda: [])
    monkeypatch.setattr(sandbox, "_verdict", None)
    why = sandbox.probe()
    assert why == f"a kernel cannot start in bubblewrap here: bwrap: execvp {PYTHON}: No such file or directory"
    with pytest.raises(SandboxUnavailable, match=f"--sandbox required: {why}; nothing was graded"):
        pipeline.sandbox_status("required")
    assert pipeline.sandbox_status("auto") == (
        True, f"sandbox: NONE ({why}): kernels get limits only; files and network are not hidden; every row is "
              f"flagged no-sandbox")


@pytest.mark.skipif(bool(sandbox.probe()), reason=f"bubblewrap cannot run here: {sandbox.probe()}")
def test_does_a_kernel_that_cannot_start_say_why_and_leave_nothing(monkeypatch):
    monkeypatch.setenv("AUTOGRADER_KERNELS", "fresh")  # the launcher's bwrap (forked kernels: the next test)
    monkeypatch.setattr(sandbox, "read_only_paths", lambda: [])
    tmp = private_tmp()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    try:
        with pytest.raises(KernelDidNotStart) as caught:
            with StudentKernel(memory_mb=2048, file_size_mb=1, output_limit_kb=4, hide=[]):
                pass
        assert str(caught.value) == ("the kernel died before replying to kernel_info: "
                                     f"bwrap: execvp {PYTHON}: No such file or directory")
        assert list(tmp.iterdir()) == []
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_does_a_forked_kernel_that_cannot_start_say_why_and_leave_nothing(monkeypatch):
    from autograder.kernel import forks

    if not forks.available():
        pytest.skip(f"no forked kernels here: {forks.why_not() or 'root with bubblewrap needed'}")
    made = forks.kernel_spec
    monkeypatch.setattr(forks, "kernel_spec", lambda *a, **k: {**made(*a, **k), "read_only": ["/nowhere/venv"]})
    before = set(os.listdir(forks.shared().base))
    with pytest.raises(KernelDidNotStart) as caught:
        with StudentKernel(memory_mb=2048, file_size_mb=1, output_limit_kb=4, hide=[]):
            pass
    assert str(caught.value) == ("the kernel died before replying to kernel_info: autograder template: the kernel's "
                                 "sandbox was not made: [Errno 2] No such file or directory: '/nowhere/venv'")
    assert set(os.listdir(forks.shared().base)) == before  # its folder gone with it
    assert forks.shared().proc.poll() is None  # and the template still there for the next kernel


def tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@ROOTED
@pytest.mark.xdist_group("checkout_no_kernel")
def test_does_grade_stop_with_the_reason_when_no_kernel_can_start():
    """A broken install (ipykernel's kernel application fails at import, after the probe's imports
    pass; the workers' templates cannot start either, so kernels start fresh, and fail): the first
    kernels fail for one reason, `grade` stops with one line and exit 3, the class graded before is
    byte-identical, and nothing is left behind."""
    tmp = private_tmp()
    try:
        sub, out = tmp / "class" / "submitted", tmp / "class" / "out"
        first = in_namespace(demo_script(str(ROOT), tmp / "class", "auto").replace(
            "--workers 2", "--workers 2 --labs lab1_gradients"), tmp)
        assert first.returncode == 0, first.stderr[-3000:]
        before = tree_digest(out)
        broken = tmp / "broken.py"
        broken.write_text('raise SystemExit("ipykernel is broken on this machine")\n')
        launcher = ROOT / ".venv" / "lib" / "python3.11" / "site-packages" / "ipykernel" / "kernelapp.py"
        run = in_namespace(f"mount --bind {broken} {launcher} && cd {ROOT} && .venv/bin/python -m autograder grade "
                           f"{sub} --out {out} --allow-demo-secret --labs lab1_gradients --force --workers 2", tmp)
        assert run.returncode == 3, run.stderr[-3000:]
        assert run.stderr.splitlines()[-1] == (
            "autograder grade: grading stopped: no kernel could start (the kernel died before replying to "
            "kernel_info: ipykernel is broken on this machine); the class in "
            f"{out} was not changed: fix the cause, then run the same command again")
        assert tree_digest(out) == before
        assert left_in(tmp) == ["broken.py", "class"]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

