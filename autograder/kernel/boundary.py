"""The boundary between the student's code and the grader, in one file.

Everything that crosses it passes through here, in this order:
1. launch: `StudentKernel` starts an ipykernel in the bubblewrap sandbox (`kernel/sandbox.py`) and
   runs the student's cells one at a time, with time and output limits;
2. requests: `StudentKernel.call` sends the grader's requests in the content of an
   execute_request, together with the text of `kernel/inside.py`, the only grading code that
   runs in the kernel;
3. replies: come back as a display_data message of their own mime type on the kernel's own
   channel (no file, no path the kernel could plant), capped at MAX_MESSAGE before decoding;
4. decoding: `decode` turns the JSON into numpy objects, validating every dtype and shape and
   never unpickling or evaluating; `decode_replies` turns a report into one `Returned` per case;
   `clean_text` makes every text from the kernel safe for nbgrader, a gradebook and a page.

Nothing here decides a score: the checks (`autograder/checks/`) judge the `Returned` values in the
grading process. Both `grade/` and `checks/` reach the kernel only through this module."""
from __future__ import annotations

import base64
import json
import os
import pickle
import queue
import re
import secrets
import shutil
import signal
import stat
import tempfile
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import zmq
from jupyter_client import KernelManager
from jupyter_client.utils import run_sync

from autograder.kernel import forks, inside
from autograder.kernel import sandbox as sandbox_mod

MAX_MESSAGE = 128 * 2**20  # bytes of one message from the kernel on IOPub (zmq drops bigger ones unread)
MAX_SMALL_MESSAGE = 4 * 2**20  # on shell and control, whose replies the grader never needs to be big
# messages zmq keeps in the grader for one socket before the kernel's side must hold or drop them:
# with the caps above, nothing a kernel sends can grow the grader's memory past about
# (RECEIVE_QUEUE + 1) x (MAX_MESSAGE + 2 x MAX_SMALL_MESSAGE), however much it sends
RECEIVE_QUEUE = 2
PROCESSES = 64             # RLIMIT_NPROC of a kernel's own uid (threads count)
RECONNECT_MS = 5           # how soon the grader's sockets try again to reach a kernel still starting
REPLY_MIME = inside.REPLY_MIME


class SandboxUnavailable(RuntimeError):
    """--sandbox required, and bubblewrap cannot run here."""


class KernelDidNotStart(RuntimeError):
    """The kernel never answered; the message says why (the launcher's or bwrap's own words)."""


INSIDE_SOURCE = Path(inside.__file__).read_text()
# the code of a call: inside.py's text and the requests come in the request's content
CALL_CODE = ("(lambda __ns, __req: (exec(compile(__req['inside'], '<autograder>', 'exec'),"
             " __g := {'__name__': '__autograder__'}), __g['run'](__ns, __req['requests'])))"
             "(globals(), __import__('IPython').get_ipython().kernel.get_parent('shell')['content']['autograder']);")

# Run in the kernel as it starts: each cell's output is cut at the limit inside the kernel, so a
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
__import__("sys").__dict__["__autograder_reserve"] = __import__("mmap").mmap(-1, {reserve}, flags=__import__("mmap").MAP_PRIVATE)
"""


# a kernel whose figures no one sees: IPython's image formatters off, so a figure shown (the inline
# backend shows each one at the end of a cell, and closes it) is never drawn into an image
NO_FIGURES = """
for __autograder_mime in ("image/png", "image/jpeg", "image/svg+xml", "application/pdf"):
    get_ipython().display_formatter.formatters[__autograder_mime].enabled = False
del __autograder_mime
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
    reply: str | None = None  # the last REPLY_MIME text the request published (inside.run)
    figures: list = field(default_factory=list)  # (mime, base64) the cell showed, for formgrader; bounded


FIGURE_MIMES = ("image/png", "image/jpeg")
MAX_FIGURES, MAX_FIGURE_CHARS = 8, 1_500_000  # per cell: a few plots, each up to ~1 MB of image
_BASE64 = re.compile(r"[A-Za-z0-9+/=\s]*")


class SandboxedKernelManager(KernelManager):
    """An ipykernel started through autograder.kernel.sandbox (bubblewrap, limits, clean env)."""

    sandbox_spec: dict = {}
    startup_code: str = ""  # run in the kernel as it starts (OUTPUT_CAP)

    def kernel_options(self, connection_file: str) -> list[str]:
        """ipykernel's options, for a fresh kernel and a forked one alike. No eager matplotlib
        backend: it halves the kernel's start (bench/RESULTS.md); plots use the inline backend
        (MPLBACKEND, loaded with pyplot) so the TA sees the figures. The output cap runs while the
        kernel starts (IPKernelApp.exec_lines), before its first answer."""
        return ["-f", connection_file, "--HistoryManager.enabled=False",
                f"--IPKernelApp.exec_lines={self.startup_code}"]

    def format_kernel_cmd(self, extra_arguments=None):
        kernel = [sandbox_mod.kernel_python(), "-m", "ipykernel_launcher", *self.kernel_options(self.connection_file)]
        return sandbox_mod.launcher_command(self.sandbox_spec, kernel)

    async def _async_interrupt_kernel(self) -> None:
        # a message on the control channel: the kernel is in its own session and PID namespace,
        # where a signal to the launcher's process group does not reach it
        msg = self.session.msg("interrupt_request", content={})
        self._connect_control_socket()
        self.session.send(self._control_socket, msg)

    interrupt_kernel = run_sync(_async_interrupt_kernel)


class ForkedKernelManager(SandboxedKernelManager):
    """An ipykernel forked from this process's pre-imported template (forks.py) instead of started
    fresh: the same connection file, startup code and channels; the provisioner holds the fork."""

    async def _async_launch_kernel(self, kernel_cmd, **kw) -> None:
        with open(self.connection_file) as f:
            connection = f.read()
        argv = self.kernel_options("{connection_file}")  # template.py puts the kernel's own path there
        process = forks.shared().fork(forks.kernel_spec(self.sandbox_spec, connection=connection, argv=argv))
        provisioner = self.provisioner
        provisioner.process, provisioner.pid, provisioner.pgid = process, process.pid, process.pid
        self._reconcile_connection_info(provisioner.connection_info)

    _launch_kernel = run_sync(_async_launch_kernel)


def wait_for_ready(km, kc, seconds: float) -> None:
    """jupyter_client's `wait_for_ready` without its last step, which drains IOPub until 0.2 s
    pass without a message: a wait at every kernel's start (bench/RESULTS.md). Nothing is lost:
    `run` and `call` skip every message that answers another request. As there: a kernel_info
    reply on shell, then any message on IOPub (it is connected)."""
    deadline = time.monotonic() + seconds
    while True:
        kc.kernel_info()
        try:
            msg = kc.shell_channel.get_msg(timeout=1)
        except queue.Empty:
            pass
        else:
            if msg["msg_type"] == "kernel_info_reply":
                try:
                    kc.iopub_channel.get_msg(timeout=0.2)
                except queue.Empty:
                    pass
                else:
                    kc._handle_kernel_info_reply(msg)
                    return
        if not km.is_alive():
            raise RuntimeError("the kernel died before replying to kernel_info")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the kernel did not answer in {seconds:g} s")


class StudentKernel:
    """Start with `with StudentKernel(...) as k:`; then `k.run(code)`, `k.call(requests)`.

    `sandbox`: "auto" (bubblewrap where it works, else what the OS allows), "required" (refuse to
    start without bubblewrap) or "off" (limits only). The kernel's grader-side folder (launcher
    log, connection files, socket folders) is root's and never visible in the sandbox."""

    def __init__(self, *, memory_mb: int, file_size_mb: int, output_limit_kb: int, hide: list[str],
                 sandbox: str = "auto", cpu_seconds: int | None = None,
                 processes: int = PROCESSES):
        self.output_limit = output_limit_kb * 1024
        self.mode = sandbox
        why_not = sandbox_mod.probe() if self.mode != "off" else "--sandbox off"
        if why_not and self.mode == "required":
            raise SandboxUnavailable(f"--sandbox required, but {why_not}")
        self.tool = "none" if why_not else "bubblewrap"
        self.why_not = why_not
        # forked from the worker's pre-imported template where it can be (root, bubblewrap runs)
        self.forked = self.tool == "bubblewrap" and forks.available()
        self.workdir = forks.new_workdir() if self.forked else sandbox_mod.new_workdir()
        read_only = sandbox_mod.read_only_paths()
        self.spec = {"workdir": self.workdir, "memory_mb": memory_mb, "file_size_mb": file_size_mb,
                     "core": 0, "cpu_seconds": cpu_seconds, "processes": processes, "tool": self.tool,
                     "isolate": self.mode != "off", "hide": [*hide, tempfile.gettempdir()], "read_only": read_only,
                     "home_files": []}
        fonts = sandbox_mod.font_list()
        if fonts is not None:  # a file of the grader's folder, out of the kernel's reach, copied in
            name, content = fonts
            source = os.path.join(self.workdir, "fontlist.json")
            with open(source, "xb") as f:
                f.write(content)
            self.spec["home_files"].append((name, source))
        self.spec.update(sandbox_mod.seccomp.write(self.workdir) if self.tool == "bubblewrap" else {})
        self.km = None
        self.kc = None
        self.restarts = 0
        self._starts = 0
        # False once the student's cells have run: the checks' kernels (a clean state, the cells
        # replayed) draw no figure, which no one sees (a fifth of a replay's time went to PNGs)
        self.figures = True
        _open_kernels.add(self)

    # lifecycle ---------------------------------------------------------------------------------
    def start(self) -> None:
        self._starts += 1
        sockets = os.path.join(self.workdir, f"run{self._starts}")
        home = os.path.join(self.workdir, f"home{self._starts}")  # used only without bubblewrap
        os.mkdir(sockets, 0o700)
        os.mkdir(home, 0o700)
        # one zmq context for every socket the grader opens to this kernel (the manager's control
        # socket for interrupts too): small message caps and receive queues, set before each connects
        self._context = zmq.Context()
        self._context.setsockopt(zmq.RCVHWM, RECEIVE_QUEUE)
        # the grader connects before the kernel has bound its sockets: zmq then tries again after
        # RECONNECT_IVL, 100 ms by default, which was half of a forked kernel's start
        self._context.setsockopt(zmq.RECONNECT_IVL, RECONNECT_MS)
        self._context.setsockopt(zmq.MAXMSGSIZE, MAX_SMALL_MESSAGE)  # a bigger message drops the connection unread
        manager = ForkedKernelManager if self.forked else SandboxedKernelManager
        km = manager(transport="ipc", ip=os.path.join(sockets, "ipc"), context=self._context)
        km.sandbox_spec = {**self.spec, "sockets": sockets, "home": home,
                           "connection_file": os.path.join(self.workdir, f"kernel{self._starts}.json")}
        km.connection_file = km.sandbox_spec["connection_file"]
        km.startup_code = OUTPUT_CAP.format(limit=self.output_limit, reserve=inside.RESERVE) + (
            "" if self.figures else NO_FIGURES)
        km.start_kernel()
        kc = km.client(context=self._context)
        self._context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE)  # IOPub carries the replies
        kc.iopub_channel  # noqa: B018 - its socket is made and connected here, with the bigger cap
        self._context.setsockopt(zmq.MAXMSGSIZE, MAX_SMALL_MESSAGE)
        # only the channels the grader reads: no stdin (never read: a kernel could fill it), no
        # heartbeat (liveness is the process's), no control (interrupts use the manager's socket)
        kc.start_channels(shell=True, iopub=True, stdin=False, hb=False, control=False)
        try:
            wait_for_ready(km, kc, 60)
            self._lock(sockets, km)
        except RuntimeError as exc:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
            self._context.destroy(linger=0)
            self._context = None
            said = clean_text(sandbox_mod.read_log(self.workdir), 600) or "the launcher said nothing"
            raise KernelDidNotStart(f"{exc}: {said}") from None
        self.km, self.kc = km, kc

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
            if process is not None:  # killed (its process group: it leads its own session, as jupyter_client
                try:                 # starts it) and waited for here: jupyter_client polls every 0.1 s
                    os.killpg(process.pid, signal.SIGKILL)  # never the grader's own group
                    process.wait(5)
                except Exception:  # noqa: BLE001 - shutdown_kernel below tries again
                    pass
            try:
                self.km.shutdown_kernel(now=True)
            except Exception:  # noqa: BLE001 - it may be dead already
                pass
            if process is not None and self.tool == "bubblewrap":  # probe() made this process a subreaper
                sandbox_mod.reap(sandbox_mod.UID_BASE + process.pid)
                sandbox_mod.memory.release(process.pid)  # its memory cgroup, empty now
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
            if self.forked:
                how = ["forked from the worker's pre-imported template (kernel/forks.py)",
                       "namespaces: pid, mount, network, ipc, uts, cgroup", "one unprivileged uid per kernel"]
            else:
                how = ["namespaces: user, pid, mount, network, ipc, uts, cgroup",
                       f"uid {sandbox_mod.INSIDE_UID} inside, " + ("one unprivileged uid per kernel outside"
                                                                  if os.geteuid() == 0 else "the grader's uid outside")]
                if forks.why_not():
                    how.append(f"started fresh: the template could not start ({forks.why_not()})")
            return {"tool": "bubblewrap",
                    "isolation": [*how, "files: read-only interpreter, virtualenv, /usr; private home, /tmp, /dev/shm",
                                  "capabilities: none", sandbox_mod.guards()],
                    "limits": [f"memory {self.spec['memory_mb']} MB", f"file size {self.spec['file_size_mb']} MB",
                               f"processes {self.spec['processes']}", f"open files {sandbox_mod.OPEN_FILES}"]}
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
        _open_kernels.discard(self)

    def abandon(self) -> None:
        """Kill the kernel and remove its folder at once (its worker is leaving: `abandon_kernels`)."""
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        if process is not None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except OSError:
                pass
            if self.tool == "bubblewrap":
                sandbox_mod.reap(sandbox_mod.UID_BASE + process.pid, seconds=2)
        shutil.rmtree(self.workdir, ignore_errors=True)

    # running code ------------------------------------------------------------------------------
    def run(self, code: str, timeout: float, attached: dict | None = None) -> CellRun:
        """Execute `code`; stop it at `timeout` seconds (interrupt, then restart if it will not stop).
        `attached`: more fields of the execute_request's content (the code reads them from its
        parent message), which IPython neither transforms nor echoes as it does the code."""
        started = time.monotonic()
        if not self.alive():
            return CellRun("died", ename="KernelDied", evalue="the kernel was not running")
        msg_id = self._execute(code, attached)
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
                msg = self._next_iopub(min(remaining, 0.5), msg_id)
            except queue.Empty:
                if not self.km.is_alive():
                    run.status, run.ename, run.evalue = "died", "KernelDied", "the kernel stopped (exit, crash or memory)"
                    break
                continue
            if msg is None:  # not an answer to this request
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
                for mime in FIGURE_MIMES:
                    image = data.get(mime)
                    if (isinstance(image, str) and len(run.figures) < MAX_FIGURES and len(image) <= MAX_FIGURE_CHARS
                            and _BASE64.fullmatch(image)):
                        run.figures.append((mime, image))
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

    def _execute(self, code: str, attached: dict | None = None) -> str:
        """Send an execute_request; its id. The id is random (jupyter_client's are the session
        and a counter, which a thread in the kernel could predict and answer before the request
        exists); whatever waits for IOPub messages keeps only those whose parent is this id, and
        whatever was queued before it was sent is dropped unread."""
        content = {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                   "allow_stdin": False, "stop_on_error": False, **(attached or {})}
        request = self.kc.session.msg("execute_request", content)
        request["header"]["msg_id"] = request["msg_id"] = secrets.token_hex(16)
        self._drain_iopub()
        self.kc.shell_channel.send(request)
        return request["msg_id"]

    def _next_iopub(self, timeout: float, msg_id: str) -> dict | None:
        """The next IOPub message if it answers `msg_id`, else None (read and dropped, its content
        never decoded: a kernel's flood of big messages costs one message's bytes at a time).
        Raises queue.Empty when none came within `timeout` seconds."""
        socket = self.kc.iopub_channel.socket
        if not socket.poll(int(timeout * 1000)):
            raise queue.Empty
        frames = socket.recv_multipart(copy=False)
        try:
            _, frames = self.kc.session.feed_identities(frames, copy=False)
            msg = self.kc.session.deserialize(frames, content=False, copy=False)
            parent = msg.get("parent_header")
            if not (isinstance(parent, dict) and parent.get("msg_id") == msg_id):
                return None
            content = self.kc.session.unpack(msg["content"].bytes if hasattr(msg["content"], "bytes")
                                             else msg["content"])
        except Exception:  # noqa: BLE001 - malformed (a kernel can sign anything it likes): not an answer
            return None
        msg["content"] = content if isinstance(content, dict) else {}
        return msg

    def _drain_iopub(self, most: int = 10_000) -> None:
        """Drop what IOPub already holds (it answers no request sent from now on)."""
        socket = self.kc.iopub_channel.socket
        for _ in range(most):
            try:
                socket.recv_multipart(zmq.NOBLOCK, copy=False)
            except zmq.Again:
                return

    def _stop_running(self) -> None:
        try:
            self.km.interrupt_kernel()
        except Exception:  # noqa: BLE001
            pass
        if not self._wait_idle(5.0):
            self.restart()

    def _wait_idle(self, seconds: float) -> bool:
        """Drain messages until the kernel answers a fresh request (it stopped what it was doing)."""
        probe = self._execute("")
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                msg = self._next_iopub(0.2, probe)
            except queue.Empty:
                if not self.km.is_alive():
                    return False
                continue
            if msg is not None and msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle":
                return True
        return False

    def call(self, requests: list[dict], timeout: float) -> tuple[list | None, CellRun]:
        """Ask the kernel to call student functions (see kernel/inside.py); (raw JSON replies, the run).

        The request travels in the content of an execute_request (beside a short code that reads
        it from there: IPython transforms and echoes a cell's code, slow for a megabyte), the reply comes back
        as a display_data message of its own mime type on the same channel: no file, no path."""
        attached = {"autograder": {"inside": INSIDE_SOURCE,
                                   "requests": base64.b64encode(pickle.dumps(requests)).decode("ascii")}}
        run = self.run(CALL_CODE, timeout, attached)
        replies = None
        if run.reply is not None and len(run.reply) <= MAX_MESSAGE:
            try:
                replies = json.loads(run.reply)
            except (ValueError, RecursionError):
                replies = None
        run.reply = None
        return replies, run


# --- what comes back: plain data, decoded and validated in the grader --------------------------
# Untrusted JSON: never unpickled, never evaluated; every dtype and shape checked; anything
# unexpected becomes Unsupported, which no check accepts; decoding never raises.

MAX_ENTRIES = 50_000_000  # entries of one decoded array
_CONTROL = re.compile(r"[\ud800-\udfff\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def clean_text(text, limit: int = 2000, *, keep_newlines: bool = True) -> str:
    """Text from the kernel made safe for nbgrader, a gradebook and a page: a str, valid UTF-8
    (lone surrogates become U+FFFD), no control or bidi characters (newlines and tabs kept), at
    most `limit` characters."""
    if not isinstance(text, str):
        return ""
    text = text[: limit * 2]
    text = _CONTROL.sub("\ufffd", text if keep_newlines else text.replace("\n", " ").replace("\t", " "))
    return text[:limit]


ALLOWED_DTYPES = {"<f8", "<f4", "<f2", "<i8", "<i4", "<i2", "|i1", "|u1", "|b1", "<u8", "<u4", "<u2"}


@dataclass(frozen=True)
class Unsupported:
    """A value the kernel could not report as plain data (a lying object, a custom class...)."""
    type: str

    def __repr__(self) -> str:
        return f"<{self.type}>"


class Callable_:
    """A function that the kernel reported (only arguments may hold one)."""

    def __repr__(self) -> str:
        return "<function>"


def decode(obj, depth: int = 0):
    """Never raises: anything malformed, however forged, is Unsupported."""
    try:
        return _decode(obj, depth)
    except Exception:  # noqa: BLE001 - a forged report must not reach the checks as an error
        return Unsupported("malformed report")


def _decode(obj, depth: int = 0):
    if depth > 10 or not isinstance(obj, dict):
        return Unsupported("malformed report")
    t = obj.get("t")
    if t == "none":
        return None
    if t == "bool":
        return bool(obj.get("v"))
    if t == "int":
        v = obj.get("v")
        return int(v) if type(v) is int and abs(v) < 2**63 else Unsupported("malformed int")
    if t == "float":
        try:
            v = float(obj.get("v"))
        except (TypeError, ValueError):
            return Unsupported("malformed float")
        return np.float32(v) if obj.get("dtype") == "float32" else float(v)
    if t == "str":
        v = obj.get("v")
        return clean_text(v, 10_000) if isinstance(v, str) else Unsupported("malformed str")
    if t == "ndarray":
        return _decode_array(obj)
    if t in ("tuple", "list"):
        items = obj.get("items")
        if not isinstance(items, list):
            return Unsupported("malformed sequence")
        values = [_decode(item, depth + 1) for item in items]
        return tuple(values) if t == "tuple" else values
    if t == "dict":
        items = obj.get("items")
        if not isinstance(items, list):
            return Unsupported("malformed dict")
        out = {}
        for pair in items:
            if not (isinstance(pair, list) and len(pair) == 2):
                return Unsupported("malformed dict")
            key = _decode(pair[0], depth + 1)
            if not isinstance(key, (str, int)):
                return Unsupported("dict with non-string keys")
            out[key] = _decode(pair[1], depth + 1)
        return out
    if t == "callable":
        return Callable_()
    if t == "unsupported":
        return Unsupported(clean_text(str(obj.get("type", "unknown")), 100, keep_newlines=False))
    return Unsupported("malformed report")


def _decode_array(obj) -> np.ndarray | Unsupported:
    dtype, shape, b64 = obj.get("dtype"), obj.get("shape"), obj.get("b64")
    if dtype not in ALLOWED_DTYPES or not isinstance(shape, list) or not isinstance(b64, str):
        return Unsupported("malformed array")
    if len(shape) > 8 or not all(type(n) is int and 0 <= n <= MAX_ENTRIES for n in shape):
        return Unsupported("malformed array shape")
    if len(b64) > MAX_ENTRIES * 12:
        return Unsupported("array too large")
    try:
        raw = base64.b64decode(b64, validate=True)
    except ValueError:
        return Unsupported("malformed array data")
    dt = np.dtype(dtype)
    count = 1
    for n in shape:  # Python ints: a shape claiming 2**64 entries does not overflow
        count *= n
    if count > MAX_ENTRIES or count * dt.itemsize != len(raw):
        return Unsupported("array data does not match its shape")
    return np.frombuffer(raw, dtype=dt).reshape(shape).copy()


@dataclass(frozen=True)
class NoSecondResult:
    """Returned.again when there is no second result: `why` is "" when none was asked for (a call
    that no check of unchanged arguments judges, copies passed, a random generator among the
    arguments), else what became of the one asked for ("raised ValueError", "gave none")."""
    why: str = ""


NOT_ASKED = NoSecondResult()


@dataclass(frozen=True)
class Returned:
    """One call of a student function, as the grader decoded it.

    status: "returned", "raised", "not_implemented", "missing" (no such name in the notebook),
    "timeout" or "crashed" (the kernel gave no report)."""
    status: str
    value: Any = None
    args_after: Any = None
    message: str = ""
    error_type: str = ""
    # the first case of a request is called twice on the same objects: the second result, decoded,
    # or a NoSecondResult
    again: Any = NOT_ASKED
    # that second call (its varied arguments) made again on fresh copies in a separate request: a
    # Returned, or NOT_ASKED (nothing was varied: the second result is compared with the first)
    fresh: Any = NOT_ASKED


def decode_reply(reply, asked_again: bool = False) -> Returned:
    """One case of the kernel's JSON report as a Returned, every value decoded and validated.
    `asked_again`: the grader asked for a second call of this case; a report without its result
    says it gave none (the grader, not the report, decides whether there was one)."""
    if not isinstance(reply, dict):
        return Returned("crashed", message="malformed report")
    status = reply.get("status")
    if status == "returned":
        args_after = decode(reply.get("args_after")) if "args_after" in reply else None
        again = NOT_ASKED
        if asked_again and "again" in reply:
            again = decode(reply["again"])
        elif asked_again:
            raised = clean_text(reply.get("again_raised", ""), 100, keep_newlines=False)
            again = NoSecondResult(f"raised {raised}" if raised else "gave no result")
        return Returned("returned", value=decode(reply.get("value")), args_after=args_after, again=again)
    if status in ("raised", "not_implemented"):
        return Returned(status, message=clean_text(reply.get("message", ""), 500),
                        error_type=clean_text(reply.get("type", ""), 100, keep_newlines=False))
    if status == "missing":
        return Returned("missing")
    return Returned("crashed", message="malformed report")


def decode_replies(requests: list[dict], replies) -> list[list[Returned]]:
    out = []
    for i, request in enumerate(requests):
        n = len(request["cases"])
        got = replies[i] if isinstance(replies, list) and i < len(replies) and isinstance(replies[i], list) else []
        row = [decode_reply(r, asked_again=j < request.get("again", 0)) for j, r in enumerate(got[:n])]
        row += [Returned("crashed", message="no report")] * (n - len(row))
        out.append(row)
    return out


# --- what grade/ and checks/ use of the sandbox ---
# grade/ and checks/ import these, never inside.py, sandbox.py, memory.py or seccomp.py themselves
# (tests/test_architecture.py). Each calls through at call time, so a test that replaces the
# function in sandbox.py or inside.py replaces it for the grader too.

def call_all(namespace, request):
    """inside.call_all: one request's cases run in `namespace` (run_here: the notebook's own)."""
    return inside.call_all(namespace, request)


def probe_sandbox() -> str:
    """sandbox.probe: "" when a kernel can start in bubblewrap here, else why not."""
    return sandbox_mod.probe()


def settle_sandbox(why_not: str) -> None:
    """sandbox.settle: a worker takes the grading process's probe verdict."""
    sandbox_mod.settle(why_not)


def sandbox_guards() -> str:
    """sandbox.guards: what bounds a kernel besides namespaces, on this machine."""
    return sandbox_mod.guards()


def warm_font_list():
    """sandbox.font_list: the kernels' font cache, built once per worker."""
    return sandbox_mod.font_list()


def warm_template() -> bool:
    """forks.available: this worker's kernel template started (where kernels are forked)."""
    return forks.available()


def become_subreaper() -> None:
    """sandbox.become_subreaper: this process reaps its kernels' orphans."""
    sandbox_mod.become_subreaper()


_open_kernels: weakref.WeakSet = weakref.WeakSet()  # this process's StudentKernels not yet left


def abandon_kernels() -> None:
    """Kill this process's kernels and its kernel template now, and remove their folders (its
    grader has gone: pipeline's worker leaves)."""
    for kernel in list(_open_kernels):
        kernel.abandon()
    forks.abandon()


def die_with_parent(sig: int) -> None:
    """sandbox.die_with_parent: `sig` when this process's parent ends."""
    sandbox_mod.die_with_parent(sig)
