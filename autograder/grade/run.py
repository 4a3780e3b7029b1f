"""Run one rebuilt notebook: the student's cells in the sandboxed kernel, then every hidden check
(judged in this process by autograder.checks on the plain data the kernel reports).

A cell that stops the kernel (exit, crash) or runs past its time limit is skipped: the kernel is
restarted, the cells before it are replayed, and grading goes on, so one bad cell costs only what
depends on it."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import nbformat

from autograder.checks import run_check
from autograder.course import Course
from autograder.kernel.boundary import Returned, StudentKernel, decode_replies
from autograder.grade.rebuild import graded_cells, student_code_cells

MAX_RESTARTS = 3


@dataclass
class RunLog:
    """What happened while running a notebook: plain facts for status, flags and feedback."""
    events: list[str] = field(default_factory=list)
    cell_errors: list[str] = field(default_factory=list)
    timed_out: bool = False
    crashed: bool = False
    memory: bool = False
    output_truncated: bool = False
    file_too_large: bool = False
    ran: list[str] = field(default_factory=list)  # cells that ran (ok or error): replayed after a restart
    flags: list[tuple[str, str]] = field(default_factory=list)  # (flag, note for a TA) raised by the checks
    sandbox: dict = field(default_factory=dict)
    seconds: float = 0.0
    figure_chars: int = 0  # base64 of the figures kept in the autograded notebook


def _cell_label(index: int, source: str) -> str:
    first = next((ln.strip() for ln in source.splitlines() if ln.strip()), "")
    return f"cell {index + 1} ({first[:40]})"


def restart_and_replay(kernel: StudentKernel, course: Course, log: RunLog, deadline: float, *,
                       restarted: bool = False) -> None:
    """A fresh kernel with the student's cells that ran so far run again, so that what comes next
    (later cells, the checks) sees the same definitions. Replays keep to the notebook's deadline
    (monotonic): each replayed cell gets at most the time left, and none runs once it is past."""
    if not restarted:
        kernel.restart()
    for source in log.ran:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            log.timed_out = True
            note = f"the notebook ran past {course.limits.notebook_timeout:g} s while its cells were replayed"
            if note not in log.events:
                log.events.append(note)
            return
        kernel.run(source, min(course.limits.cell_timeout, remaining))


MAX_FIGURE_CHARS_PER_NOTEBOOK = 8_000_000  # the autograded notebook formgrader shows stays a few MB


def show_outputs(cell, run, log: RunLog) -> None:
    """The cell's outputs as it ran in the grader (its printed text, cut at the output limit, its
    figures, its error), for the TA in formgrader: reflections discuss them. Plain data only:
    text and base64 images the kernel reported; graded cells keep the verdict's outputs."""
    if cell.get("metadata", {}).get("nbgrader", {}).get("grade"):
        return
    outputs = []
    if run.stdout:
        outputs.append(nbformat.v4.new_output("stream", name="stdout", text=run.stdout))
    for mime, image in run.figures:
        if log.figure_chars + len(image) <= MAX_FIGURE_CHARS_PER_NOTEBOOK:
            log.figure_chars += len(image)
            outputs.append(nbformat.v4.new_output("display_data", data={mime: image}))
    if run.status != "ok":
        outputs.append(nbformat.v4.new_output("error", ename=run.ename or run.status, evalue=run.evalue,
                                              traceback=[f"{run.ename or run.status}: {run.evalue}"]))
    cell.outputs = outputs


def run_student_cells(kernel: StudentKernel, notebook, course: Course, log: RunLog,
                      deadline: float | None = None) -> None:
    limits = course.limits
    deadline = time.monotonic() + limits.notebook_timeout if deadline is None else deadline
    for index, cell in student_code_cells(notebook):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            log.timed_out = True
            log.events.append(f"the notebook ran past {limits.notebook_timeout:g} s: the cells from "
                              f"{_cell_label(index, cell.source)} on were not run")
            return
        restarts_before = kernel.restarts
        run = kernel.run(cell.source, min(limits.cell_timeout, remaining))
        log.output_truncated |= run.truncated
        show_outputs(cell, run, log)
        if run.status in ("ok", "error"):
            log.ran.append(cell.source)
            if run.status == "error":
                label = _cell_label(index, cell.source)
                log.cell_errors.append(f"{label}: {run.ename}: {run.evalue[:200]}")
                log.memory |= run.ename == "MemoryError"
                log.file_too_large |= "File too large" in run.evalue
                if run.ename == "SystemExit":
                    log.crashed = True
                    log.events.append(f"{label} tried to exit (SystemExit): ignored, grading went on")
            continue
        label = _cell_label(index, cell.source)
        if run.status == "timeout":
            log.timed_out = True
            log.events.append(f"{label} ran past {limits.cell_timeout:g} s and was stopped")
            if kernel.alive() and kernel.restarts == restarts_before:
                continue  # interrupted cleanly: the kernel kept its state
        else:
            log.crashed = True
            log.events.append(f"{label} stopped the kernel (sys.exit, os._exit, a crash or the memory limit)")
        if kernel.restarts >= MAX_RESTARTS:
            log.events.append("the kernel was restarted too often: the remaining cells were not run")
            return
        restart_and_replay(kernel, course, log, deadline, restarted=kernel.restarts != restarts_before)
        log.events.append(f"restarted the kernel and skipped {label}")


def kernel_caller(kernel: StudentKernel, course: Course, log: RunLog, deadline: float | None = None):
    """The checks' way into the kernel; `deadline` (monotonic) is the notebook's: notebook_timeout
    covers the student's cells, the checks and every replay together."""
    if deadline is None:
        deadline = time.monotonic() + course.limits.notebook_timeout

    def caller(requests: list[dict]) -> list[list[Returned]]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            if not any(e.endswith("the checks from then on were not run") for e in log.events):
                log.events.append(f"the notebook ran past {course.limits.notebook_timeout:g} s: "
                                  "the checks from then on were not run")
            log.timed_out = True
            message = f"not run: the notebook ran past its {course.limits.notebook_timeout:g} s"
            return [[Returned("timeout", message=message)] * len(r["cases"]) for r in requests]
        if not kernel.alive():  # the student's cells left it dead (restarted too often)
            restart_and_replay(kernel, course, log, deadline)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return caller(requests)  # out of time: every case "not run"
        elif any(r.get("fresh") for r in requests):  # a clean state: nothing kept from earlier checks
            restart_and_replay(kernel, course, log, deadline)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return caller(requests)
        restarts_before = kernel.restarts
        # a check may ask for a shorter limit (backward's cost): running past it is its verdict
        own_limit = min([r["timeout"] for r in requests if isinstance(r.get("timeout"), float)] or [float("inf")])
        replies, run = kernel.call(requests, min(course.limits.check_timeout, remaining, own_limit))
        if run.status == "died" or kernel.restarts != restarts_before:
            # this check stopped the kernel: the next checks get the student's definitions back
            restart_and_replay(kernel, course, log, deadline, restarted=kernel.restarts != restarts_before)
        if run.status in ("timeout", "died") or replies is None:
            status = "timeout" if run.status == "timeout" else "crashed"
            if run.status == "died":
                log.crashed = True
            if run.status == "timeout" and own_limit >= min(course.limits.check_timeout, remaining):
                log.timed_out = True
            message = run.evalue or "no report from the kernel"
            return [[Returned(status, message=message)] * len(r["cases"]) for r in requests]
        return decode_replies(requests, replies)
    return caller


def _for_the_student(verdict: tuple, log: RunLog) -> tuple:
    """A verdict whose message holds a traceback of the grader (a check that failed itself) keeps
    its first line for the student; the traceback goes to the TA's notes, never to the page."""
    message = verdict[1] if len(verdict) > 1 and isinstance(verdict[1], str) else ""
    if "Traceback (most recent call last)" not in message and 'File "' not in message:
        return verdict
    first = message.split("\n", 1)[0].rstrip(":")
    log.events.append(f"for a TA: {message}")
    return (verdict[0], first, *verdict[2:])


def run_notebook(notebook, course: Course, lab: str, *, hide: list[str], sandbox: str = "auto") -> tuple[dict, RunLog]:
    """{grade_id: (fraction of the points in [0, 1], message)} for every graded cell, and the run log. `sandbox`:
    the --sandbox mode the grading process decided ("required", "auto", "off")."""
    log = RunLog()
    started = time.monotonic()
    deadline = started + course.limits.notebook_timeout
    limits = course.limits
    with StudentKernel(memory_mb=limits.memory_limit_mb, file_size_mb=limits.file_size_limit_mb,
                       output_limit_kb=limits.output_limit_kb, hide=hide, sandbox=sandbox) as kernel:
        log.sandbox = kernel.sandbox_report()
        run_student_cells(kernel, notebook, course, log, deadline)
        kernel.figures = False  # the checks' restarts and replays show no one a figure
        caller = kernel_caller(kernel, course, log, deadline)
        verdicts = {}
        for grade_id, _ in graded_cells(notebook):
            verdict = run_check(lab, grade_id, caller=caller, secret=course.secret,
                                n_examples=course.property_examples, tolerances=course.tolerances, flags=log.flags)
            verdicts[grade_id] = _for_the_student(verdict, log)
    log.seconds = time.monotonic() - started
    return verdicts, log
