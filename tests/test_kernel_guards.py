"""The seccomp filter and the memory bound of a student's kernel, attacked from inside the sandbox."""
from __future__ import annotations

import os
import platform
import subprocess
import threading

import pytest

from autograder import course as course_mod
from autograder.kernel import memory, sandbox, seccomp
from autograder.kernel.boundary import StudentKernel
from tests import corpus
from tests.grading import build_class, grade, read_csv

BWRAP = pytest.mark.skipif(bool(sandbox.probe()), reason=f"bubblewrap cannot run here: {sandbox.probe()}")
FILTER = pytest.mark.skipif(bool(seccomp.why_not()), reason=seccomp.why_not() or "")
X86_64 = pytest.mark.skipif(platform.machine() != "x86_64", reason="the calls below are numbered for x86_64")
LAB = "lab1_gradients"
NOISE_MB = 512  # the machine's other users of shared memory meanwhile (the attacks below try 2.4 and 4.8 GB)

# each call's number on x86_64 and arguments that would do something without the filter
# (ptrace 16 = PTRACE_ATTACH to the sandbox's init, unshare 0x20000 = a mount namespace)
CALLS = {"io_uring_setup": (425, 8, 0), "io_uring_enter": (426, 0, 0, 0, 0, 0), "io_uring_register": (427, 0, 0, 0, 0),
         "keyctl": (250, 0, -3), "add_key": (248, 0, 0, 0, 0, 0), "request_key": (249, 0, 0, 0, 0),
         "ptrace": (101, 16, 1, 0, 0), "bpf": (321, 0, 0, 0), "userfaultfd": (323, 0), "perf_event_open": (298, 0, 0, -1, -1, 0),
         "mount": (165, 0, 0, 0, 0, 0), "umount2": (166, 0, 0), "pivot_root": (155, 0, 0), "unshare": (272, 0x20000),
         "setns": (308, 0, 0), "kexec_load": (246, 0, 0, 0, 0), "init_module": (175, 0, 0, 0),
         "finit_module": (313, -1, 0, 0), "memfd_secret": (447, 0)}
PROBE = """
import ctypes, errno
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
calls = {calls!r}
got = {{}}
for name, (nr, *args) in calls.items():
    ctypes.set_errno(0)
    got[name] = errno.errorcode.get(ctypes.get_errno(), "ok") if libc.syscall(nr, *args) == -1 else "ok"
print(got)
"""
ALL_REFUSED = str({name: "EPERM" for name in CALLS})
# 40 memfd files of 60 MB (each under the file size limit): 2.4 GB against a 1 GB kernel
FILL_MEMFD = """
import os
held = []
for i in range(40):
    fd = os.memfd_create(f"hold{i}")
    for _ in range(60):
        os.write(fd, b"x" * 2**20)
    held.append(fd)
print(len(held))
"""


def shared_memory_mb() -> float:
    """The machine's shared memory (tmpfs, memfd, System V): Shmem of /proc/meminfo."""
    with open("/proc/meminfo") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("Shmem:")) / 1024


class Sampler(threading.Thread):
    """The highest shared memory of the machine while it runs, every 20 ms."""

    def __init__(self):
        super().__init__(daemon=True)
        self.base = shared_memory_mb()
        self.peak = self.base
        self.done = threading.Event()

    def run(self):
        while not self.done.wait(0.02):
            self.peak = max(self.peak, shared_memory_mb())

    def __exit__(self, *exc):
        self.done.set()
        self.join()

    def __enter__(self):
        self.start()
        return self


def in_bwrap(code: str, *, shared_memory: bool) -> str:
    """`code` run by python3 in a bare bwrap with the filter, as the launcher passes it."""
    fd = seccomp.passed_on(shared_memory=shared_memory)
    try:
        return subprocess.run(
            ["bwrap", "--unshare-all", "--unshare-user", "--disable-userns", "--ro-bind", "/usr", "/usr",
             "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64", "--symlink", "usr/bin", "/bin",
             "--proc", "/proc", "--dev", "/dev", "--seccomp", str(fd), "--", "/usr/bin/python3", "-c", code],
            pass_fds=(fd,), capture_output=True, text=True, timeout=60).stdout.strip()
    finally:
        os.close(fd)


@BWRAP
@FILTER
@X86_64
def test_are_escape_system_calls_refused_with_eperm_inside_the_sandbox():
    with StudentKernel(memory_mb=1024, file_size_mb=1, output_limit_kb=64, hide=[str(course_mod.ROOT)]) as k:
        run = k.run(PROBE.format(calls=CALLS), 20)
        assert run.status == "ok", run
        assert run.stdout.strip() == ALL_REFUSED
        assert k.run("print('still here')", 10).stdout == "still here\n"


@BWRAP
@FILTER
@X86_64
def test_would_those_calls_do_something_without_the_filter():
    """The attack is real: in bwrap without `--seccomp`, io_uring, keyrings and unshare
    are not refused with EPERM (so the test above can fail); ptrace of init is left out: it works,
    and stops the sandbox."""
    harmless = {name: CALLS[name] for name in ("io_uring_setup", "keyctl", "unshare")}
    out = subprocess.run(["bwrap", "--unshare-all", "--unshare-user", "--disable-userns", "--ro-bind", "/usr", "/usr",
                          "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64", "--proc", "/proc",
                          "--dev", "/dev", "--", "/usr/bin/python3", "-c", PROBE.format(calls=harmless)],
                         capture_output=True, text=True, timeout=60).stdout.strip()
    got = eval(out)  # noqa: S307 - our own probe's dict of strings
    assert [name for name, error in got.items() if error == "EPERM"] == []


@BWRAP
@FILTER
def test_is_memfd_refused_unless_a_memory_cgroup_counts_it():
    make = "import os; os.memfd_create('x'); print('made')"
    assert in_bwrap(make, shared_memory=False) == ""  # PermissionError, nothing printed
    assert in_bwrap("import os\ntry:\n os.memfd_create('x')\nexcept OSError as e: print(e.errno)",
                    shared_memory=False) == "1"
    assert in_bwrap(make, shared_memory=True) == "made"


@BWRAP
def test_does_memfd_past_the_memory_limit_fail_and_leave_the_machines_shared_memory_bounded():
    """The attack of issue 25: memfd files are not in RLIMIT_AS. With a memory cgroup the kernel is
    killed at its limit; without one, memfd is refused; either way the machine's shared memory never
    grows by more than the kernel's memory limit."""
    limit_mb = 1024
    with StudentKernel(memory_mb=limit_mb, file_size_mb=64, output_limit_kb=4, hide=[str(course_mod.ROOT)]) as k:
        pid = k.km.provisioner.process.pid
        with Sampler() as shm:
            run = k.run(FILL_MEMFD, 120)
        if memory.parent()[0]:
            assert os.path.isdir(os.path.join(memory.parent()[1], f"{memory.PREFIX}{pid}"))
            assert run.status == "died", run
        else:
            assert (run.status, run.ename) == ("error", "PermissionError"), run
        assert shm.peak - shm.base < limit_mb + NOISE_MB, (shm.base, shm.peak)
        k.restart()
        assert k.run("print('still here')", 10).stdout == "still here\n"
    folder = memory.parent()[1]
    if memory.parent()[0]:  # both kernels' cgroups removed with them
        assert [n for n in os.listdir(folder) if n.startswith(memory.PREFIX) and n[len(memory.PREFIX):] == str(pid)] == []


@BWRAP
def test_does_a_class_with_memory_and_system_call_attacks_leave_classmates_untouched(tmp_path):
    cases = {c.name: c for c in corpus.cases(LAB, every_lab=True, spread=False)}
    attacker = tmp_path / "fills_memory_outside_the_limit.py"
    attacker.write_text("# expect-failing:\n# %% add-cell\n" + FILL_MEMFD.replace("range(40)", "range(80)"))
    fills = corpus.load_case(attacker, LAB)
    chosen = [cases["right"], cases["blank"], cases["every_lab_calls_the_kernel_outside_the_sandbox"], fills]
    submissions = build_class(chosen, tmp_path / "submitted")
    with Sampler() as shm:
        grade(submissions, tmp_path / "out", labs=[LAB])
    rows = {r["student_id"]: r for r in read_csv(tmp_path / "out" / "grades.csv")}
    alone = tmp_path / "alone"
    build_class([cases["right"], cases["blank"]], alone)
    grade(alone, tmp_path / "out-alone", labs=[LAB])
    cells = [r for r in read_csv(tmp_path / "out" / "cells.csv") if r["student_id"] in ("right", "blank")]
    assert cells == read_csv(tmp_path / "out-alone" / "cells.csv")
    right = float(rows["right"]["score"])
    assert float(rows["every_lab_calls_the_kernel_outside_the_sandbox"]["score"]) == right
    assert rows["every_lab_calls_the_kernel_outside_the_sandbox"]["status"] == "ok"
    # killed at its cgroup's limit (restarted, the cell skipped), or memfd refused in its own cell
    assert rows[fills.name]["status"] == ("crashed" if memory.parent()[0] else "ok")
    assert float(rows[fills.name]["score"]) == right
    assert shm.peak - shm.base < course_mod.load().limits.memory_limit_mb + NOISE_MB, (shm.base, shm.peak)


@BWRAP
def test_does_the_first_line_say_which_guards_the_machine_gave(monkeypatch):
    from autograder.grade.pipeline import sandbox_status

    line = sandbox_status("auto")[1]
    assert line.startswith("sandbox: bubblewrap (")
    assert ("; seccomp filter;" in line) != ("no seccomp filter (" in line)
    version = memory.parent()[0]
    assert line.endswith(f"memory cgroup ({version}) per kernel)") if version else "no memory cgroup (" in line
    monkeypatch.setattr(memory, "parent", lambda: (None, "the grader is not root"))
    if not seccomp.why_not():
        assert sandbox_status("auto")[1].endswith(
            "own uid; seccomp filter; no memory cgroup (the grader is not root): memfd and shared memory refused, "
            "memory bound = address space + tmpfs)")
    monkeypatch.setattr(seccomp, "why_not", lambda: "no seccomp filter (ImportError: No module named 'pyseccomp')")
    assert sandbox_status("auto")[1].endswith(
        "own uid; no seccomp filter (ImportError: No module named 'pyseccomp'); no memory cgroup (the grader is not "
        "root): memfd bounded only by 256 open files x the file size limit)")
