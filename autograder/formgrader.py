"""`autograder formgrader OUT`: hand-grading for the class, in one command.

Starts JupyterLab with nbgrader's formgrader in OUT (the class's nbgrader course directory, whose
nbgrader_config.py formgrader reads from the server's working directory), listening on 127.0.0.1
only, with a fresh token, and prints the formgrader's address. As root it adds --allow-root
(Jupyter refuses root otherwise); the notebooks a TA opens are the autograded copies, shown by
formgrader as HTML, never run."""
from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
from pathlib import Path

from autograder import course as course_mod


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def command(out: Path, port: int, token: str, *, root: bool) -> list[str]:
    """The JupyterLab command line serving OUT on 127.0.0.1:port."""
    argv = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
            "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={out}"]
    return argv + (["--allow-root"] if root else [])


def url(port: int, token: str) -> str:
    return f"http://127.0.0.1:{port}/formgrader?token={token}"


def check_out(out: Path, course) -> None:
    """OUT must be a graded class of this course: its gradebook and nbgrader_config.py."""
    from autograder.grade.pipeline import check_output

    if not out.is_dir():
        raise FileNotFoundError(f"no folder at {out}: pass the --out folder of `autograder grade`")
    for name in ("gradebook.db", "nbgrader_config.py"):
        if not (out / name).is_file():
            raise ValueError(f"{out} has no {name}: it is not a graded class; grade it first "
                             f"(`autograder grade SUBMISSIONS --out {out}`)")
    check_output(out, course)


def main(*, out: str | Path, port: int | None = None, course_toml: str | Path = course_mod.COURSE_TOML,
         announce=print) -> int:
    """Serve formgrader on OUT until interrupted; returns JupyterLab's exit code.

    Raises:
        FileNotFoundError: OUT does not exist.
        ValueError: OUT is not a graded class, or belongs to another course.
    """
    out = Path(out).resolve()
    check_out(out, course_mod.load(course_toml))
    port = port or free_port()
    token = secrets.token_hex(16)
    argv = command(out, port, token, root=os.geteuid() == 0)
    announce(f"formgrader for {out}: {url(port, token)}  (Ctrl-C stops it)")
    # stopped by Ctrl-C or by a SIGTERM (a service manager, a test): JupyterLab goes with it, never
    # left serving the class with nobody to stop it
    previous = signal.signal(signal.SIGTERM, _interrupted)
    proc = subprocess.Popen(argv, cwd=out, preexec_fn=_die_with_parent)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            return proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            return proc.wait()
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupted(signum, frame):
    raise KeyboardInterrupt


def _die_with_parent() -> None:
    """JupyterLab gets SIGTERM if this process dies (even by SIGKILL): Linux's PR_SET_PDEATHSIG."""
    if sys.platform == "linux":
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG = 1
