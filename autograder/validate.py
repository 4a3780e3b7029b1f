"""`autograder validate NOTEBOOK`: run a notebook top to bottom and report its visible checks.

For students: which visible checks pass, which fail (with the message) and which are not
attempted yet. Hidden checks are not run here: they run only at grading, on other inputs. A
question (a graded cell named q1, q_perceptron, ...) is "answered (checked when graded)" once its
answer has the right form, since only the hidden check knows the right answer. Any answer (a
question, or a value such as first_update) is "not answered" while its line
`raise NotImplementedError('q1: replace this line with your answer')` stands. A written answer (a
reflection, which a TA marks) is "answered (checked when graded)" once it differs from its stub,
by nbgrader's own rule (the cell's checksum), and "not answered" before.

This file needs nothing of the course or of this package (only nbformat, jupyter_client and
nbgrader, which the students' environment has for JupyterLab's Validate button): `autograder
release --bundle` copies it as is into the students' bundle, where `python validate.py
lab3_backprop.ipynb` runs it. Keep it that way: no `autograder` imports."""
from __future__ import annotations

import argparse
import queue
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

HIDDEN_NOTE = ("Hidden checks run only at grading, on inputs you have not seen: passing the visible checks "
               "is not a grade.")
CELL_TIMEOUT = 30.0
# The course's questions are graded cells named q<number> or q_<name> (../shared/LABS.md): their
# visible check sees only the answer's form, never whether it is right.
QUESTION = re.compile(r"^q(\d+|_\w+)$")
# The stub nbgrader leaves in an answer cell (autograder/nbgrader_config.py's NameTheStubs).
ANSWER_STUB = re.compile(r"^(\w+): replace this line with your answer")
UNDEFINED = re.compile(r"^name '(\w+)' is not defined")
ANSWERED, NOT_ANSWERED = "answered (checked when graded)", "not answered"
OUTCOMES = ("passed", ANSWERED, "failed", NOT_ANSWERED, "not attempted")


@dataclass
class VisibleCheck:
    grade_id: str
    points: float
    outcome: str  # one of OUTCOMES
    message: str = ""


@dataclass
class _Run:
    status: str  # ok, error, timeout, died
    ename: str = ""
    evalue: str = ""


class _Kernel:
    """The student's own Python kernel (their environment, their limits), run in the notebook's folder."""

    def __init__(self, cwd: Path):
        self.cwd = cwd
        self.km = self.kc = None

    def start(self) -> None:
        from jupyter_client import KernelManager

        self.km = KernelManager(kernel_name="python3")
        self.km.start_kernel(cwd=str(self.cwd))
        self.kc = self.km.blocking_client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)

    def stop(self) -> None:
        if self.kc is not None:
            self.kc.stop_channels()
        if self.km is not None:
            self.km.shutdown_kernel(now=True)
        self.km = self.kc = None

    def run(self, code: str, timeout: float) -> _Run:
        msg_id = self.kc.execute(code, store_history=False, allow_stdin=False, stop_on_error=False)
        deadline = time.monotonic() + timeout
        run = _Run("ok")
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.km.interrupt_kernel()
                self.stop()
                self.start()
                return _Run("timeout", "Timeout", f"the cell ran past {timeout:g} s")
            try:
                msg = self.kc.get_iopub_msg(timeout=min(remaining, 0.5))
            except queue.Empty:
                if not self.km.is_alive():
                    self.stop()
                    self.start()
                    return _Run("died", "KernelDied", "the kernel stopped (exit, crash or memory)")
                continue
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "status" and content.get("execution_state") == "idle":
                return run
            if kind == "error":
                run = _Run("error", content.get("ename", ""), content.get("evalue", ""))


def _unchanged(cell) -> bool:
    """Whether an answer cell still holds the release's stub: nbgrader's rule (utils.determine_grade), its
    checksum as released; without one (a notebook not from nbgrader), whether it is blank."""
    from nbgrader.utils import compute_checksum

    released = cell.metadata.get("nbgrader", {}).get("checksum")
    return compute_checksum(cell) == released if released else not cell.source.strip()


def run_visible_checks(path: Path, *, cell_timeout: float = CELL_TIMEOUT) -> list[VisibleCheck]:
    nb = nbformat.read(path, as_version=4)
    checks = []
    kernel = _Kernel(Path(path).resolve().parent)
    kernel.start()
    try:
        unwritten = False  # a NameError after a stub is "not attempted", not a failure
        unanswered: set[str] = set()  # answers whose stub line still stands
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "markdown" and meta.get("grade") and meta.get("solution"):  # a written answer
                checks.append(VisibleCheck(meta.get("grade_id", "?"), float(meta.get("points", 0)),
                                           NOT_ANSWERED if _unchanged(cell) else ANSWERED))
                continue
            if cell.cell_type != "code":
                continue
            run = kernel.run(cell.source, cell_timeout)
            unwritten |= "NotImplementedError" in (run.ename + run.evalue)
            stub = ANSWER_STUB.match(run.evalue) if run.ename == "NotImplementedError" else None
            if stub:
                unanswered.add(stub.group(1))
            if not (meta.get("grade") and not meta.get("solution")):
                continue
            grade_id = meta.get("grade_id", "?")
            undefined = UNDEFINED.match(run.evalue) if run.ename == "NameError" else None
            if run.status == "ok":
                outcome, message = (ANSWERED if QUESTION.match(grade_id) else "passed"), ""
            elif (undefined and undefined.group(1) in unanswered) or ": not answered" in run.evalue:
                outcome, message = NOT_ANSWERED, ""
            elif run.ename == "NotImplementedError" or "NotImplementedError" in run.evalue:
                outcome, message = "not attempted", run.evalue
            elif run.ename == "NameError" and unwritten:
                outcome, message = "not attempted", "an earlier function is not written yet"
            else:
                outcome, message = "failed", f"{run.ename}: {run.evalue}".strip(": ")
            checks.append(VisibleCheck(grade_id, float(meta.get("points", 0)), outcome,
                                       message.splitlines()[0][:200] if message else ""))
    finally:
        kernel.stop()
    return checks


def format_table(checks: list[VisibleCheck]) -> str:
    width = max([len(c.grade_id) for c in checks] + [5])
    lines = [f"{'check':<{width}}  {'points':>6}  result"]
    for c in checks:
        detail = f": {c.message}" if c.message and c.outcome not in ("passed", ANSWERED) else ""
        lines.append(f"{c.grade_id:<{width}}  {c.points:>6g}  {c.outcome}{detail}")
    counts = {o: sum(c.outcome == o for c in checks) for o in OUTCOMES}
    lines.append("")
    lines.append(f"visible checks: {counts['passed']} passed, {counts['failed']} failed, "
                 f"{counts['not attempted']} not attempted")
    if counts[ANSWERED] or counts[NOT_ANSWERED]:
        lines.append(f"answers: {counts[ANSWERED]} {ANSWERED}, {counts[NOT_ANSWERED]} {NOT_ANSWERED}")
    lines.append(HIDDEN_NOTE)
    return "\n".join(lines)


def main(*, notebook: str | Path, cell_timeout: float = CELL_TIMEOUT) -> int:
    """Print the visible checks of `notebook`.

    Args:
        notebook: path to a lab notebook.
        cell_timeout: seconds one cell may run before it is stopped.
    Returns:
        0 when every visible check passes and every question is answered, 1 otherwise.
    Raises:
        FileNotFoundError: no such notebook.
        ValueError: the file is not a notebook.
    """
    path = Path(notebook)
    if not path.is_file():
        raise FileNotFoundError(f"no notebook at {path}: give the path to your .ipynb file")
    try:
        nbformat.read(path, as_version=4)
    except Exception as exc:  # noqa: BLE001
        raise ValueError(f"{path} is not a readable notebook ({type(exc).__name__}): open it in JupyterLab "
                         "and save it again") from None
    checks = run_visible_checks(path, cell_timeout=cell_timeout)
    print(format_table(checks))
    sys.stdout.flush()
    return 0 if checks and all(c.outcome in ("passed", ANSWERED) for c in checks) else 1


def _student_main(argv: list[str] | None = None) -> int:
    """`python validate.py NOTEBOOK`, in the students' bundle."""
    parser = argparse.ArgumentParser(prog="validate.py", description=__doc__.split("\n\n")[1])
    parser.add_argument("notebook", help="your lab notebook, e.g. lab3_backprop/lab3_backprop.ipynb")
    parser.add_argument("--cell-timeout", type=float, default=CELL_TIMEOUT, help="seconds per cell")
    args = parser.parse_args(argv)
    try:
        return main(notebook=args.notebook, cell_timeout=args.cell_timeout)
    except (FileNotFoundError, ValueError) as exc:
        print(f"validate: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(_student_main())
