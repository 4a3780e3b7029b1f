"""Kernels forked from a pre-imported template (kernel/template.py), the grader's side.

A grading worker starts one `Template`: bubblewrap makes its sandbox (the kernel's read-only
allow-list file system, no network, its own IPC and UTS namespaces, dies with the worker), in which
the template, root and with the host's PID namespace, imports what notebooks import and then only
forks. For each kernel the worker asks for a fork, puts the fork into the kernel's memory cgroup
(memory.py, as the bubblewrap launcher does for a fresh kernel), chooses the seccomp filter and
says go; the fork then makes the kernel's own namespaces, tmpfs, limits, uid and filter
(template.py says how) before any student code runs. `Forked` is the fork as jupyter_client's
provisioner expects a process (poll, wait, kill), through a pidfd: a pid the template has not
reaped yet cannot be reused.

Used where the grader is root and bubblewrap runs (`usable`), unless AUTOGRADER_KERNELS=fresh:
elsewhere each kernel starts fresh in the bubblewrap launcher (sandbox.py) as before.
"""
from __future__ import annotations

import json
import multiprocessing.util
import os
import select
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder.kernel import memory
from autograder.kernel import sandbox as sandbox_mod

SOURCE = (Path(__file__).parent / "template.py").read_text()
START_SECONDS = 120  # the template's imports (scipy, scikit-learn) on a busy machine


def wanted() -> bool:
    """Forked kernels unless AUTOGRADER_KERNELS=fresh (the bench compares the two)."""
    return os.environ.get("AUTOGRADER_KERNELS", "forked") != "fresh"


def usable() -> bool:
    """Root (the template gives each kernel namespaces and a uid of its own) and bubblewrap runs."""
    return sys.platform == "linux" and os.geteuid() == 0 and not sandbox_mod.probe()


class TemplateFailed(RuntimeError):
    pass


class Template:
    """One per grading process (`shared()`); its folder holds every forked kernel's grader-side
    files (logs, connection files, socket folders), the one folder it binds writable."""

    def __init__(self):
        self.owner = os.getpid()  # a worker forked from this process inherits the object, not the template
        self.base = sandbox_mod.new_workdir()
        self.proc = None
        try:
            self._start()
        except BaseException:
            self.close()  # its process and folder: nothing is left of a template that failed
            raise

    def _start(self) -> None:
        fonts = sandbox_mod.font_list()
        home_files = []  # (path in the sandbox, an open fd of what it shows, read-only)
        if fonts is not None:
            name, content = fonts
            path = os.path.join(self.base, "fontlist.json")
            with open(path, "xb") as f:
                f.write(content)
            home_files.append((os.path.join(sandbox_mod.HOME, name), os.open(path, os.O_RDONLY)))
        home_files += [(path, os.open(os.devnull, os.O_RDONLY)) for path, is_dir in sandbox_mod.masked_paths()
                       if not is_dir]
        try:
            with open(os.path.join(self.base, "launcher.log"), "wb") as log:
                self.proc = subprocess.Popen(self._command(home_files), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                             stderr=log, env=sandbox_mod.clean_env(sandbox_mod.HOME),
                                             pass_fds=[fd for _, fd in home_files], start_new_session=True)
        except OSError as exc:
            raise TemplateFailed(f"the kernel template did not start: {exc}") from None
        finally:
            for _, fd in home_files:
                os.close(fd)
        ready = self._read(START_SECONDS)
        if "ready" not in ready:
            raise TemplateFailed(f"the kernel template did not start: {ready}")

    def _command(self, home_files) -> list[str]:
        args = [sandbox_mod.bwrap_path(), "--unshare-ipc", "--unshare-net", "--unshare-uts", "--hostname", "sandbox",
                "--die-with-parent", "--cap-add", "ALL", "--proc", "/proc", "--dev", "/dev",
                "--tmpfs", "/dev/shm", "--tmpfs", "/tmp", *_traversable_parents(sandbox_mod.HOME),
                "--tmpfs", sandbox_mod.HOME, *sandbox_mod.system_files(before_etc=_traversable_parents)]
        for path in sandbox_mod.read_only_paths():
            args += [*_traversable_parents(path), "--ro-bind", path, path]
        for path, is_dir in sandbox_mod.masked_paths():  # a file: what bwrap reads from /dev/null (home_files)
            args += ["--tmpfs", path, "--remount-ro", path] if is_dir else []
        args += [*_traversable_parents(self.base), "--bind", self.base, self.base, "--chdir", sandbox_mod.HOME]
        for path, fd in home_files:  # readable by the kernel's uid (privileged bwrap makes them 0600)
            args += [*_traversable_parents(path), "--perms", "0444", "--ro-bind-data", str(fd), path]
        return [*args, "--", sandbox_mod.kernel_python(), "-c", SOURCE]

    def _read(self, seconds: float) -> dict:
        if not select.select([self.proc.stdout], [], [], seconds)[0]:
            return {"error": f"no answer in {seconds:g} s; {self.log()}"}
        line = self.proc.stdout.readline(1 << 16)
        if not line:
            return {"error": f"it ended; {self.log()}"}
        return json.loads(line)

    def ask(self, request: dict, seconds: float = 30) -> dict:
        if self.proc.poll() is not None:
            raise TemplateFailed(f"the kernel template has ended; {self.log()}")
        self.proc.stdin.write((json.dumps(request) + "\n").encode())
        self.proc.stdin.flush()
        reply = self._read(seconds)
        if "error" in reply:
            raise TemplateFailed(f"the kernel template: {reply['error']}")
        return reply

    def log(self) -> str:
        return sandbox_mod.read_log(self.base)

    def fork(self, kernel: dict) -> Forked:
        """A kernel described by `kernel` (template.py), started once in its memory cgroup."""
        pid = self.ask({"op": "fork", "kernel": {**kernel, "cover": [self.base]}})["pid"]
        forked = Forked(self, pid)
        counted = bool(kernel.get("memory_mb")) and memory.join(pid, int(kernel["memory_mb"]) * 2**20)
        self.ask({"op": "go", "pid": pid, "seccomp": kernel.get("seccomp_shared_memory" if counted else "seccomp")})
        return forked

    def close(self) -> None:
        if os.getpid() != self.owner:  # a forked child's copy (its finalizer): the parent's template stays
            return
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        import shutil
        shutil.rmtree(self.base, ignore_errors=True)


def _traversable_parents(path: str) -> list[str]:
    """The folders on the way to a bind, made 0755 (privileged bwrap makes them 0700 by default: a
    kernel's uid, which is not root, could not pass them)."""
    parents = []
    folder = os.path.dirname(path)
    while folder not in ("/", ""):
        parents.append(folder)
        folder = os.path.dirname(folder)
    return [arg for folder in reversed(parents) for arg in ("--perms", "0755", "--dir", folder)]


class Forked:
    """A forked kernel as a subprocess.Popen for jupyter_client: its keeper's pid, a pidfd."""

    stdin = stdout = stderr = None

    def __init__(self, template: Template, pid: int):
        self.template, self.pid, self.returncode = template, pid, None
        self._fd = os.pidfd_open(pid)

    def poll(self) -> int | None:
        if self.returncode is None and select.select([self._fd], [], [], 0)[0]:
            self._reap()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            if not select.select([self._fd], [], [], timeout)[0]:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            self._reap()
        return self.returncode

    def _reap(self) -> None:
        try:
            self.returncode = self.template.ask({"op": "reap", "pid": self.pid})["status"]
        except TemplateFailed:
            self.returncode = -signal.SIGKILL
        os.close(self._fd)

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:
            try:
                signal.pidfd_send_signal(self._fd, sig)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


_shared: Template | None = None
_why_not: str | None = None  # why this process's template could not start: its kernels start fresh


def shared() -> Template:
    """This process's template, started at its first kernel (a worker's warm-up starts it); one
    that has ended is started again."""
    global _shared
    if _shared is not None and _shared.owner != os.getpid():
        _shared = None  # the parent's, inherited by a fork (a grading worker): this process starts its own
    if _shared is None or _shared.proc.poll() is not None:
        if _shared is not None:
            _shared.close()
        _shared = Template()
        # run at this process's exit: multiprocessing runs such finalizers from atexit, and a grading
        # worker, which leaves through os._exit, runs them before it
        multiprocessing.util.Finalize(_shared, _shared.close, exitpriority=10)
    return _shared


def abandon() -> None:
    """This process's template ends now, with its folder (its worker is leaving)."""
    if _shared is not None:
        _shared.close()


def available() -> bool:
    """Forked kernels wanted, possible here, and the template started (once per process: where it
    cannot, for example bubblewrap without the privileges to make namespaces as root, every kernel
    of this process starts fresh, and its unit says why, in `sandbox`)."""
    global _why_not
    if not (wanted() and usable()) or _why_not is not None:
        return False
    try:
        shared()
    except (TemplateFailed, OSError, ValueError) as exc:
        _why_not = str(exc)[:300]
        return False
    return True


def why_not() -> str:
    return _why_not or ""


def kernel_spec(spec: dict, *, connection: str, argv: list[str]) -> dict:
    """What template.py needs for one kernel, from StudentKernel's launcher spec."""
    home_mb = int(spec.get("file_size_mb") or 0) + sandbox_mod.TMPFS_MB
    env = sandbox_mod.clean_env(sandbox_mod.HOME)
    return {"log": os.path.join(spec["workdir"], "launcher.log"), "sockets": spec["sockets"],
            "read_only": [os.path.realpath(p) for p in spec["read_only"]],
            "home": sandbox_mod.HOME, "home_mb": home_mb, "tmpfs_mb": sandbox_mod.TMPFS_MB,
            "memory_mb": spec.get("memory_mb"),
            "rlimits": sandbox_mod.rlimits({**spec, "core": 0, "open_files": sandbox_mod.OPEN_FILES}),
            "seccomp": spec.get("seccomp"),
            "seccomp_shared_memory": spec.get("seccomp_shared_memory"),
            "home_files": [name for name, _ in spec.get("home_files", [])],
            "connection": connection, "argv": argv, "env": env}


def new_workdir() -> str:
    """A forked kernel's grader-side folder, inside the template's (the one it can reach)."""
    folder = tempfile.mkdtemp(prefix="agk-", dir=shared().base)
    os.chmod(folder, 0o711)
    return folder
