"""`autograder validate NOTEBOOK`: run a notebook top to bottom and report its visible checks.

For students: which visible checks pass, which fail (with the message) and which are not
attempted yet. Hidden checks are not run here: they run only at grading, on other inputs."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder import course as course_mod
from autograder.grade.kernel import StudentKernel

HIDDEN_NOTE = ("Hidden checks run only at grading, on inputs you have not seen: passing the visible checks "
               "is not a grade.")


@dataclass
class VisibleCheck:
    grade_id: str
    points: float
    outcome: str  # passed, failed, not attempted
    message: str = ""


def run_visible_checks(path: Path, *, course: course_mod.Course | None = None) -> list[VisibleCheck]:
    course = course or course_mod.load()
    nb = nbformat.read(path, as_version=4)
    limits = course.limits
    checks = []
    with StudentKernel(memory_mb=limits.memory_limit_mb, file_size_mb=limits.file_size_limit_mb,
                       output_limit_kb=limits.output_limit_kb, hide=[], isolate=False) as kernel:
        kernel.run(f"import os; os.chdir({str(path.resolve().parent)!r})", 10)
        unwritten = False  # a NameError after a stub is "not attempted", not a failure
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            meta = cell.metadata.get("nbgrader", {})
            run = kernel.run(cell.source, limits.cell_timeout)
            unwritten |= "NotImplementedError" in (run.ename + run.evalue)
            if run.status == "died":
                kernel.restart()
            if not (meta.get("grade") and not meta.get("solution")):
                continue
            if run.status == "ok":
                outcome, message = "passed", ""
            elif run.ename == "NotImplementedError" or "NotImplementedError" in run.evalue:
                outcome, message = "not attempted", run.evalue
            elif run.ename == "NameError" and unwritten:
                outcome, message = "not attempted", "an earlier function is not written yet"
            else:
                outcome, message = "failed", f"{run.ename}: {run.evalue}".strip(": ")
            checks.append(VisibleCheck(meta.get("grade_id", "?"), float(meta.get("points", 0)), outcome,
                                       message.splitlines()[0][:200] if message else ""))
    return checks


def format_table(checks: list[VisibleCheck]) -> str:
    width = max([len(c.grade_id) for c in checks] + [5])
    lines = [f"{'check':<{width}}  {'points':>6}  result"]
    for c in checks:
        detail = f": {c.message}" if c.message and c.outcome != "passed" else ""
        lines.append(f"{c.grade_id:<{width}}  {c.points:>6g}  {c.outcome}{detail}")
    counts = {o: sum(c.outcome == o for c in checks) for o in ("passed", "failed", "not attempted")}
    lines.append("")
    lines.append(f"visible checks: {counts['passed']} passed, {counts['failed']} failed, "
                 f"{counts['not attempted']} not attempted")
    lines.append(HIDDEN_NOTE)
    return "\n".join(lines)


def main(*, notebook: str | Path) -> int:
    """Print the visible checks of `notebook`.

    Args:
        notebook: path to a lab notebook.
    Returns:
        0 when every visible check passes, 1 otherwise.
    Raises:
        FileNotFoundError: no such notebook.
        ValueError: the file is not a notebook.
    """
    path = Path(notebook)
    if not path.exists():
        raise FileNotFoundError(f"no notebook at {path}")
    try:
        nbformat.read(path, as_version=4)
    except Exception as exc:  # noqa: BLE001
        raise ValueError(f"{path} is not a readable notebook ({type(exc).__name__}): open it in JupyterLab "
                         "and save it again") from None
    checks = run_visible_checks(path)
    print(format_table(checks))
    sys.stdout.flush()
    return 0 if checks and all(c.outcome == "passed" for c in checks) else 1
