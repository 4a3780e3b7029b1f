"""A unit's result (one student's lab): its status, flags, cells and score, built here and only here.

Status and Flag are str-valued enums: a value is its own string, so grades.csv, cells.csv, the unit
files in OUT/.units and the gradebook hold exactly the words they always held. The result crosses
the worker's process boundary and is saved as plain data (`as_dict`), the unit file's format.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Status(StrEnum):
    OK = "ok"
    MISSING = "missing"
    UNREADABLE = "unreadable"
    TIMEOUT = "timeout"
    MEMORY = "memory"
    CRASHED = "crashed"
    ERROR = "error"
    NOT_RUN = "not-run"


STATUSES = {  # what each status means, on the student's feedback page
    Status.OK: "graded",
    Status.MISSING: "no notebook submitted",
    Status.UNREADABLE: "the file is not a readable notebook (not JSON, truncated, not nbformat 4, or over 100 MB)",
    Status.TIMEOUT: "a cell or the whole notebook ran past its time limit; it was stopped and the rest graded",
    Status.MEMORY: "the notebook ran out of memory (the kernel's limit); the rest was graded",
    Status.CRASHED: "the notebook exited or stopped the kernel (sys.exit, os._exit, a crash, killed); the kernel "
                    "was restarted, the cell skipped, the rest graded",
    Status.ERROR: "the grader failed on this notebook: a TA should look (the class was graded)",
    Status.NOT_RUN: "the grader could not start a kernel for this notebook (the machine's fault, not the student's): "
                    "nothing was run; the TA notes say why; fix the cause and grade again",
}

NOTHING_RAN = (Status.MISSING, Status.UNREADABLE)  # no notebook to run, nor answers for a TA to read


class Flag(StrEnum):
    """grades.csv's `flags`: something about a row a TA may want to see."""
    NO_SANDBOX = "no-sandbox"
    REFUSED_FILE = "refused-file"
    RENAMED_NOTEBOOK = "renamed-notebook"
    EXTRA_FILES = "extra-files"
    MARKED_LATE_BY_LMS = "marked-late-by-lms"
    TIME_UNKNOWN = "time-unknown"
    SUSPICIOUS_CODE = "suspicious-code"
    OUTPUT_TRUNCATED = "output-truncated"
    FILE_TOO_LARGE = "file-too-large"
    METADATA_REPAIRED = "metadata-repaired"
    METADATA_MISSING = "metadata-missing"
    CELLS_RESTORED = "cells-restored"
    DUPLICATE_CELLS = "duplicate-cells"
    GRADIENT_METHOD_UNCLEAR = "gradient-method-unclear"  # checks/cost.py FLAG (checks/ import no grade/)
    LATE = "late"
    NEEDS_MANUAL_GRADE = "needs-manual-grade"
    MANUAL_GRADE_OUTDATED = "manual-grade-outdated"


@dataclass
class Cell:
    """One graded cell: an autograded test cell, or a written answer a TA grades (manual)."""
    grade_id: str
    score: float
    max_score: float
    passed: bool
    message: str
    manual: bool = False

    def as_dict(self) -> dict:
        plain = {"grade_id": self.grade_id, "score": self.score, "max_score": self.max_score,
                 "passed": self.passed, "manual": True, "message": self.message}
        if not self.manual:  # an autograded cell's unit file never had the key
            del plain["manual"]
        return plain


def zero_cells(graded: list[tuple[str, float]], manual: list[tuple[str, float]], message: str) -> list[Cell]:
    """Every cell of a lab at zero: its autograded cells with `message`, its written answers for a TA.
    The one list a row that was not graded gets, whatever stopped it."""
    return ([Cell(gid, 0.0, pts, False, message) for gid, pts in graded]
            + [Cell(gid, 0.0, pts, False, "graded by a TA", manual=True) for gid, pts in manual])


@dataclass
class UnitResult:
    student: str
    lab: str
    max_score: float
    fingerprint: str
    status: Status = Status.OK
    cells: list[Cell] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # Flag values (a check's own flag is a plain string)
    notes: list[str] = field(default_factory=list)  # for the student's feedback ("for a TA: ..." for the TA)
    events: list[str] = field(default_factory=list)  # what happened while running, feedback's end
    cell_errors: list = field(default_factory=list)
    timestamp: str | None = None  # the trusted submission time, as nbgrader writes it
    # set once the notebook was read (absent from a missing or unreadable row's unit file)
    time_unknown: bool | None = None
    submission_secret: str | None = None
    digests: dict | None = None
    # set once it was run
    sandbox: dict | None = None
    seconds: float | None = None
    not_run: str | None = None  # why no kernel could start

    @property
    def score(self) -> float:
        return round(sum(c.score for c in self.cells), 6)

    def as_dict(self) -> dict:
        """Plain data, as saved in OUT/.units and read by the tables, gradebook and feedback."""
        plain = {"student": self.student, "lab": self.lab, "status": self.status, "flags": sorted(set(self.flags)),
                 "notes": list(self.notes), "events": list(self.events), "cell_errors": list(self.cell_errors),
                 "max_score": self.max_score, "fingerprint": self.fingerprint, "timestamp": self.timestamp,
                 "cells": [c.as_dict() for c in self.cells], "score": self.score}
        for key in ("time_unknown", "submission_secret", "digests", "sandbox", "seconds", "not_run"):
            if getattr(self, key) is not None:
                plain[key] = getattr(self, key)
        return plain
