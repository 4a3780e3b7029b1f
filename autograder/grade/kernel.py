"""The student's kernel: started in the sandbox, one cell at a time, with time and output limits.

This module only runs code and reports what happened (plain data: status, capped text, error
name); it decides nothing about scores."""
from __future__ import annotations

import base64
import json
import os
import pickle
import queue
import shutil
import stat
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import zmq
from jupyter_client import KernelManager
from jupyter_client.utils import run_sync

from autograder.grade import kernel_side
from autograder.grade import sandbox as sandbox_mod
from autograder.grade.plaindata import clean_text

MAX_MESSAGE = 128 * 2**20  # bytes of one message from the kernel (zmq drops bigger ones unread)
PROCESSES = 64             # RLIMIT_NPROC of a kernel's own uid (threads count)
REPLY_MIME = kernel_side.REPLY_MIME


def _traversable(folder: str) -> bool:
    """Every folder on the way to `folder` lets others pass (o+x)."""
    path = os.path.realpath(folder)
    while True:
        if not os.stat(path).st_mode & 0o001:
            return False
        if path == os.path.dirname(path):
            return True
        path = os.path.dirname(path)


class SandboxUnavailable(RuntimeError):
    """--sandbox required, and bubblewrap cannot run here."""

KERNEL_SIDE_SOURCE = Path(kernel_side.__file__).read_text()

# Run in the kernel at start: each cell's output is cut at the limit inside the kernel, so a
# flood of prints costs CPU time (stopped by the cell timeout), not the grader's memory or the
# kernel's. IPython 9 also keeps every printed character in memory (its history "tee"), which
# turns a print loop into a memory bomb: that copy is switched off. The grader caps what it
# keeps as well; this is only the first line of defence.
OUTPUT_CAP = """
def __autograder_cap(limit):
    import contextlib, sys
    get_ipython()._tee = lambda channel: contextlib.nullcontext()
    class Capped:
        def __init__(self, stream):
            self._stream, self.left = stream, limit
        def write(self, text):
            if self.left > 0:
                self._stream.write(text[: self.left])
                if len(text) > self.left:
                    self._stream.write("\\n[output cut at {{}} characters]\\n".format(limit))
            self.left -= len(text)
            return len(text)
        def __getattr__(self, name):
            return getattr(self._stream, name)
    out, err = Capped(sys.stdout), Capped(sys.stderr)
    sys.stdout, sys.stderr = out, err
    def reset(*args):
        out.left = err.left = limit
    get_ipython().events.register("pre_run_cell", reset)
__autograder_cap({limit})
del __autograder_cap
__import__("sys").__dict__["__autograder_reserve"] = bytearray({reserve})
"""


@dataclass
class CellRun:
    """What one execution did: status is ok, error, timeout or died."""
    status: str
    stdout: str = ""
    ename: str = ""
    evalue: str = ""
    truncated: bool = False
    seconds: float = 0.0
    reply: str | None = None  # the last REPLY_MIME text the request published (kernel_side.run)


class SandboxedKernelManager(KernelManager):
    """An ipykernel started through autograder.grade.sandbox (bubblewrap, limits, clean env)."""

    sandbox_spec: dict = {}

    def format_kernel_cmd(self, extra_arguments=None):
        # no eager matplotlib backend: it halves the kernel's start (1.1 s -> 0.6 s here); plots
        # use Agg (MPLBACKEND) and are not needed for grading
        kernel = [sys.executable, "-m", "ipykernel_launcher", "-f", self.connection_file,
                  "--HistoryManager.enabled=False"]
        return [sys.executable, "-m", "autograder.grade.sandbox", json.dumps(self.sandbox_spec), "--", *kernel]

    async def _async_interrupt_kernel(self) -> None:
        # a message on the control channel: the kernel is in its own session and PID namespace,
        # where a signal to the launcher's process group does not reach it
        msg = self.session.msg("interrupt_request", content={})
        self._connect_control_socket()
        self.session.send(self._control_socket, msg)

    interrupt_kernel = run_sync(_async_interrupt_kernel)


class StudentKernel:
    """Start with `with StudentKernel(...) as k:`; then `k.run(code)`, `k.call(requests)`.

    `sandbox`: "auto" (bubblewrap where it works, else what the OS allows), "required" (refuse to
    start without bubblewrap) or "off" (limits only). The kernel's grader-side folder (launcher
    log, connection files, socket folders) is root's and never visible in the sandbox."""

    def __init__(self, *, memory_mb: int, file_size_mb: int, output_limit_kb: int, hide: list[str],
                 isolate: bool = True, cpu_seconds: int | None = None, sandbox: str | None = None,
                 processes: int = PROCESSES):
        self.output_limit = output_limit_kb * 1024
        self.mode = sandbox or ("auto" if isolate else "off")
        why_not = sandbox_mod.probe() if self.mode != "off" else "--sandbox off"
        if why_not and self.mode == "required":
            raise SandboxUnavailable(f"--sandbox required, but {why_not}")
        self.tool = "none" if why_not else "bubblewrap"
        self.why_not = why_not
        base = tempfile.gettempdir()
        if self.tool == "bubblewrap" and not _traversable(base):
            base = "/tmp"  # bwrap runs as the kernel's own uid: it must pass through to its stages
        self.workdir = tempfile.mkdtemp(prefix="agk-", dir=base)
        os.chmod(self.workdir, 0o711)  # traversable (bwrap reaches its stages), not listable
        venv = os.path.dirname(os.path.dirname(sys.executable))
        read_only = sorted({os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix), os.path.realpath(venv)})
        self.spec = {"workdir": self.workdir, "memory_mb": memory_mb, "file_size_mb": file_size_mb,
                     "core": 0, "cpu_seconds": cpu_seconds, "processes": processes, "tool": self.tool,
                     "isolate": self.mode != "off", "hide": [*hide, tempfile.gettempdir()], "read_only": read_only}
        self.km = None
        self.kc = None
        self.restarts = 0
        self._starts = 0
        self._n = 0

    # lifecycle ---------------------------------------------------------------------------------
    def start(self) -> None:
        self._starts += 1
        sockets = os.path.join(self.workdir, f"run{self._starts}")
        home = os.path.join(self.workdir, f"home{self._starts}")  # used only without bubblewrap
        os.mkdir(sockets, 0o700)
        os.mkdir(home, 0o700)
        km = SandboxedKernelManager(transport="ipc", ip=os.path.join(sockets, "ipc"))
        km.sandbox_spec = {**self.spec, "sockets": sockets, "home": home,
                           "connection_file": os.path.join(self.workdir, f"kernel{self._starts}.json")}
        km.connection_file = km.sandbox_spec["connection_file"]
        km.start_kernel()
        self._context = zmq.Context()
        self._context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE)  # a bigger message drops the connection unread
        kc = km.client(context=self._context)
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=60)
            self._lock(sockets, km)
        except RuntimeError:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
            self._context.destroy(linger=0)
            self._context = None
            raise
        self.km, self.kc = km, kc
        self.run(OUTPUT_CAP.format(limit=self.output_limit, reserve=kernel_side.RESERVE), 30)

    def _lock(self, sockets: str, km) -> None:
        """Once the kernel has bound its sockets (before any student code), their folder becomes
        root's: the kernel can no longer replace a socket by a link the grader would follow."""
        if self.tool == "bubblewrap" and os.geteuid() == 0:
            os.lchown(sockets, 0, 0)
            os.chmod(sockets, 0o755)
        for port in (km.shell_port, km.iopub_port, km.stdin_port, km.control_port, km.hb_port):
            st = os.lstat(f"{km.ip}-{port}")
            if not stat.S_ISSOCK(st.st_mode):
                raise RuntimeError("the kernel's socket is not a socket")

    def stop(self) -> None:
        if self.kc is not None:
            self.kc.stop_channels()
        if self.km is not None:
            process = getattr(self.km.provisioner, "process", None)
            try:
                self.km.shutdown_kernel(now=True)
            except Exception:  # noqa: BLE001 - it may be dead already
                pass
            if process is not None and self.tool == "bubblewrap":  # probe() made this process a subreaper
                sandbox_mod.reap(sandbox_mod.UID_BASE + process.pid)
        if getattr(self, "_context", None) is not None:
            self._context.destroy(linger=0)
            self._context = None
        self.km = self.kc = None

    def restart(self) -> None:
        self.stop()
        self.restarts += 1
        self.start()

    def alive(self) -> bool:
        return self.km is not None and self.km.is_alive()

    def sandbox_report(self) -> dict:
        """What the kernel runs in (decided in the grader, not reported by the kernel)."""
        if self.tool == "bubblewrap":
            return {"tool": "bubblewrap",
                    "isolation": ["namespaces: user, pid, mount, network, ipc, uts, cgroup",
                                  "files: read-only interpreter, virtualenv, /usr; private home, /tmp, /dev/shm",
                                  f"uid {sandbox_mod.INSIDE_UID} inside, " + (
                                      "one unprivileged uid per kernel outside" if os.geteuid() == 0
                                      else "the grader's uid outside"), "capabilities: none"],
                    "limits": [f"memory {self.spec['memory_mb']} MB", f"file size {self.spec['file_size_mb']} MB",
                               f"processes {self.spec['processes']}"]}
        return {"tool": "none", "why": self.why_not,
                "isolation": ["limits and a clean environment only" if self.mode == "off" or os.geteuid() != 0
                              else "deny-list: mount and network namespaces, uid 0 without capabilities"]}

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            shutil.rmtree(self.workdir, ignore_errors=True)
            raise
        return self

    def __exit__(self, *exc):
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    # running code ------------------------------------------------------------------------------
    def run(self, code: str, timeout: float) -> CellRun:
        """Execute `code`; stop it at `timeout` seconds (interrupt, then restart if it will not stop)."""
        started = time.monotonic()
        if not self.alive():
            return CellRun("died", ename="KernelDied", evalue="the kernel was not running")
        msg_id = self.kc.execute(code, store_history=False, allow_stdin=False, stop_on_error=False)
        deadline = started + timeout
        run = CellRun("ok")
        kept = 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                run.status, run.ename = "timeout", "Timeout"
                run.evalue = f"stopped after {timeout:g} s"
                self._stop_running()
                break
            try:
                msg = self.kc.get_iopub_msg(timeout=min(remaining, 0.5))
            except queue.Empty:
                if not self.km.is_alive():
                    run.status, run.ename, run.evalue = "died", "KernelDied", "the kernel stopped (exit, crash or memory)"
                    break
                continue
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "status" and content.get("execution_state") == "idle":
                break
            text = ""
            if kind == "stream":
                text = content.get("text", "")
            elif kind in ("execute_result", "display_data"):
                data = content.get("data", {})
                data = data if isinstance(data, dict) else {}
                if isinstance(data.get(REPLY_MIME), str):
                    run.reply = data[REPLY_MIME]
                    continue
                text = data.get("text/plain", "") + "\n"
            elif kind == "error":
                run.status = "error"
                run.ename, run.evalue = clean_text(content.get("ename"), 200), clean_text(content.get("evalue"), 2000)
            text = text if isinstance(text, str) else ""
            if text:
                room = self.output_limit - kept
                if room > 0:
                    run.stdout += clean_text(text[:room], room, keep_newlines=True)
                    kept += min(len(text), room)
                if len(text) > room:
                    run.truncated = True
        run.seconds = time.monotonic() - started
        return run

    def _stop_running(self) -> None:
        try:
            self.km.interrupt_kernel()
        except Exception:  # noqa: BLE001
            pass
        if not self._wait_idle(5.0):
            self.restart()

    def _wait_idle(self, seconds: float) -> bool:
        """Drain messages until the kernel answers a fresh request (it stopped what it was doing)."""
        probe = self.kc.execute("", store_history=False, allow_stdin=False)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                msg = self.kc.get_iopub_msg(timeout=0.2)
            except queue.Empty:
                if not self.km.is_alive():
                    return False
                continue
            if (msg.get("parent_header", {}).get("msg_id") == probe and msg["msg_type"] == "status"
                    and msg["content"].get("execution_state") == "idle"):
                return True
        return False

    def call(self, requests: list[dict], timeout: float) -> tuple[list | None, CellRun]:
        """Ask the kernel to call student functions (see kernel_side); (raw JSON replies, the run).

        The request travels inside the code of an execute_request, the reply comes back as a
        display_data message of its own mime type on the same channel: no file, no path."""
        self._n += 1
        payload = base64.b64encode(pickle.dumps(requests)).decode("ascii")
        code = ("(lambda __ns: (exec(compile({src!r}, '<autograder>', 'exec'), __g := {{'__name__': '__autograder__'}}),"
                " __g['run'](__ns, {req!r})))(globals())").format(src=KERNEL_SIDE_SOURCE, req=payload)
        run = self.run(code, timeout)
        replies = None
        if run.reply is not None and len(run.reply) <= MAX_MESSAGE:
            try:
                replies = json.loads(run.reply)
            except (ValueError, RecursionError):
                replies = None
        run.reply = None
        return replies, run
