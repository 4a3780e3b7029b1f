"""The student's kernel: started in the sandbox, one cell at a time, with time and output limits.

This module only runs code and reports what happened (plain data: status, capped text, error
name); it decides nothing about scores."""
from __future__ import annotations

import json
import os
import pickle
import queue
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from jupyter_client import KernelManager

from autograder.grade import kernel_side

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


class SandboxedKernelManager(KernelManager):
    """An ipykernel started through autograder.grade.sandbox (limits, namespaces, clean env)."""

    sandbox_spec: dict = {}

    def format_kernel_cmd(self, extra_arguments=None):
        # no eager matplotlib backend: it halves the kernel's start (1.1 s -> 0.6 s here); plots
        # use Agg (MPLBACKEND) and are not needed for grading
        kernel = [sys.executable, "-m", "ipykernel_launcher", "-f", self.connection_file,
                  "--HistoryManager.enabled=False"]
        return [sys.executable, "-m", "autograder.grade.sandbox", json.dumps(self.sandbox_spec), "--", *kernel]


class StudentKernel:
    """Start with `with StudentKernel(...) as k:`; then `k.run(code)`, `k.call(requests)`."""

    def __init__(self, *, memory_mb: int, file_size_mb: int, output_limit_kb: int, hide: list[str],
                 isolate: bool = True, cpu_seconds: int | None = None):
        self.output_limit = output_limit_kb * 1024
        self.workdir = tempfile.mkdtemp(prefix="agk-")
        os.chmod(self.workdir, 0o755)
        venv = os.path.dirname(os.path.dirname(sys.executable))
        self.spec = {"workdir": self.workdir, "memory_mb": memory_mb, "file_size_mb": file_size_mb,
                     "core": 0, "cpu_seconds": cpu_seconds, "isolate": isolate,
                     "hide": [*hide, tempfile.gettempdir()], "keep": [venv, self.workdir]}
        self.km = None
        self.kc = None
        self.restarts = 0
        self._n = 0

    # lifecycle ---------------------------------------------------------------------------------
    def start(self) -> None:
        km = SandboxedKernelManager(transport="ipc", ip=os.path.join(self.workdir, "ipc"))
        km.sandbox_spec = self.spec
        km.connection_file = os.path.join(self.workdir, "kernel.json")
        km.start_kernel()
        kc = km.blocking_client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=60)
        except RuntimeError:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
            raise
        self.km, self.kc = km, kc
        self.run(OUTPUT_CAP.format(limit=self.output_limit), 30)

    def stop(self) -> None:
        if self.kc is not None:
            self.kc.stop_channels()
        if self.km is not None:
            try:
                self.km.shutdown_kernel(now=True)
            except Exception:  # noqa: BLE001 - it may be dead already
                pass
        self.km = self.kc = None

    def restart(self) -> None:
        self.stop()
        self.restarts += 1
        self.start()

    def alive(self) -> bool:
        return self.km is not None and self.km.is_alive()

    def sandbox_report(self) -> dict:
        try:
            with open(os.path.join(self.workdir, "sandbox.json")) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    def __enter__(self):
        self.start()
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
                text = data.get("text/plain", "") + "\n"
            elif kind == "error":
                run.status = "error"
                run.ename, run.evalue = content.get("ename", "")[:200], content.get("evalue", "")[:2000]
            if text:
                room = self.output_limit - kept
                if room > 0:
                    run.stdout += text[:room]
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
        """Ask the kernel to call student functions (see kernel_side); (raw JSON replies, the run)."""
        self._n += 1
        request_path = os.path.join(self.workdir, f"request-{self._n}.pkl")
        reply_path = os.path.join(self.workdir, f"reply-{self._n}.json")
        with open(request_path, "wb") as f:
            pickle.dump(requests, f)
        code = ("(lambda __ns: (exec(compile({src!r}, '<autograder>', 'exec'), __g := {{'__name__': '__autograder__'}}),"
                " __g['run'](__ns, {req!r}, {rep!r})))(globals())").format(
                    src=KERNEL_SIDE_SOURCE, req=request_path, rep=reply_path)
        run = self.run(code, timeout)
        replies = None
        try:
            if os.path.getsize(reply_path) <= 256 * 2**20:
                with open(reply_path) as f:
                    replies = json.load(f)
        except (OSError, ValueError):
            replies = None
        for path in (request_path, reply_path):
            try:
                os.remove(path)
            except OSError:
                pass
        return replies, run
