"""A unit's result (one student's lab): its status, flags, cells and score, built here and only here.

Status and Flag are str-valued enums: a value is its own string, so grades.csv, cells.csv, the unit
files in OUT/.units and the gradebook hold exactly the words they always held. The result crosses
the worker's process boundary whole (pickled) and is saved as plain data (`to_json`, the unit file's
format), loaded back once (`from_json`) by whatever reads a class: the gradebook, the tables, the
feedback pages, report, export, merge. A key it does not know (a unit file of an older version:
`seconds_late`, `timestamp_unreadable`) is kept in `extra` and saved again as it was.

The gradebook's view of a unit (gradebook.read_class: a TA's manual scores, the late penalty, the
TA's comments) is the same class with its `penalty`, `final`, `late`, `comments` and each cell's
`manual_score` and `needs_manual_grade` set; they are never saved in the unit file.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from enum import StrEnum
from pathlib import Path
from typing import Any


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


class _ByKey:
    """`result["status"]`, `cell.get("manual", False)`: the plain data's keys, read-only, for scripts
    and tests written against the unit file's dict. The grader itself reads attributes."""

    def __getitem__(self, key: str) -> Any:
        try:
            return getattr(self, key)
        except AttributeError:
            if key in self.extra:
                return self.extra[key]
            raise KeyError(key) from None

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default


@dataclass
class Cell(_ByKey):
    """One graded cell: an autograded test cell, or a written answer a TA grades (manual)."""
    grade_id: str
    score: float
    max_score: float
    passed: bool
    message: str
    manual: bool = False
    extra: dict = field(default_factory=dict, repr=False)  # keys of an older unit file, saved again as they were
    # the gradebook's view (read_class), never saved
    manual_score: float | None = None  # a TA's score, when one was set
    needs_manual_grade: bool = False

    def to_json(self) -> dict:
        plain = {**self.extra, "grade_id": self.grade_id, "score": self.score, "max_score": self.max_score,
                 "passed": self.passed, "manual": True, "message": self.message}
        if not self.manual:  # an autograded cell's unit file never had the key
            del plain["manual"]
        return plain

    @classmethod
    def from_json(cls, plain: dict) -> Cell:
        known = ("grade_id", "score", "max_score", "passed", "message", "manual")
        return cls(grade_id=plain.get("grade_id", ""), score=plain.get("score", 0.0),
                   max_score=plain.get("max_score", 0.0), passed=plain.get("passed", False),
                   message=plain.get("message", ""), manual=bool(plain.get("manual", False)),
                   extra={k: v for k, v in plain.items() if k not in known})


def zero_cells(graded: list[tuple[str, float]], manual: list[tuple[str, float]], message: str) -> list[Cell]:
    """Every cell of a lab at zero: its autograded cells with `message`, its written answers for a TA.
    The one list a row that was not graded gets, whatever stopped it."""
    return ([Cell(gid, 0.0, pts, False, message) for gid, pts in graded]
            + [Cell(gid, 0.0, pts, False, "graded by a TA", manual=True) for gid, pts in manual])


@dataclass
class UnitResult(_ByKey):
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
    extra: dict = field(default_factory=dict, repr=False)  # keys of an older unit file, saved again as they were
    # the gradebook's view (gradebook.read_class), never saved
    penalty: float = 0.0  # what the late rule takes off
    final: float | None = None  # what the student gets (score - penalty)
    late: Any = None  # lateness.Late
    comments: dict = field(default_factory=dict)  # {cell: a TA's comment}

    @property
    def score(self) -> float:
        return round(sum(c.score for c in self.cells), 6)

    @property
    def awarded(self) -> float:
        """The final score once the gradebook set it, else the raw score."""
        return self.score if self.final is None else self.final

    def to_json(self) -> dict:
        """Plain data, as saved in OUT/.units (the unit file's format; `from_json` reads it back)."""
        plain = {**self.extra, "student": self.student, "lab": self.lab, "status": self.status,
                 "flags": sorted(set(self.flags)), "notes": list(self.notes), "events": list(self.events), "cell_errors": list(self.cell_errors),
                 "max_score": self.max_score, "fingerprint": self.fingerprint, "timestamp": self.timestamp,
                 "cells": [c.to_json() for c in self.cells], "score": self.score}
        for key in ("time_unknown", "submission_secret", "digests", "sandbox", "seconds", "not_run"):
            if getattr(self, key) is not None:
                plain[key] = getattr(self, key)
        return plain

    @classmethod
    def from_json(cls, plain: dict) -> UnitResult:
        """A unit file's data (this version's or an older one's) as a UnitResult.

        Raises ValueError on a status this version does not know."""
        saved = {f.name for f in fields(cls) if f.name not in _NOT_SAVED}
        known = {k: plain[k] for k in saved if k in plain}
        known.update(student=plain.get("student", ""), lab=plain.get("lab", ""),
                     max_score=plain.get("max_score", 0.0), fingerprint=plain.get("fingerprint", ""),
                     status=Status(plain.get("status", Status.OK)),
                     cells=[Cell.from_json(c) for c in plain.get("cells", [])])
        for key in ("flags", "notes", "events", "cell_errors"):
            known[key] = list(plain.get(key, []))
        return cls(**known, extra={k: v for k, v in plain.items() if k not in saved and k != "score"})

    @classmethod
    def coerce(cls, result: UnitResult | dict) -> UnitResult:
        """A UnitResult as it is; the plain data of one (a script's, a test's) loaded."""
        return result if isinstance(result, cls) else cls.from_json(result)


_NOT_SAVED = ("extra", "penalty", "final", "late", "comments")


def load_unit(path: Path) -> UnitResult | None:
    """A unit file (OUT/.units/<student>/<lab>.json) as a UnitResult, loaded once; None when it is
    missing, unreadable or not a unit's result."""
    try:
        plain = json.loads(path.read_text())
        return UnitResult.from_json(plain) if isinstance(plain, dict) and "cells" in plain else None
    except (OSError, ValueError, TypeError, AttributeError):
        return None
