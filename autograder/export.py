"""`autograder export`: the class's grades as a gradebook file, with the late rule applied.

Reads the unit results that `autograder grade` left in OUT/.units/ and writes one of:

- canvas: Canvas's gradebook CSV (Grades > Import): the columns `Student, ID, SIS User ID,
  SIS Login ID, Section`, then one column per lab titled `<title> (<lab id>)`, a `Points Possible`
  row from course.toml, then one row per student. Canvas matches a row to a student by ID, SIS
  User ID or SIS Login ID; without a roster the student id (nbgrader's, usually the login) fills
  `Student` and `SIS Login ID`. A roster CSV (`student_id` plus any of those five columns) fills
  them from the registrar's data instead.
- csv: `student_id`, one column per lab (by id), `total`.

Only labs that were graded appear (a lab not graded yet would overwrite Canvas with zeros).

Everything comes from the class gradebook (OUT/gradebook.db, which formgrader edits): `rows()`
first rewrites grades.csv, cells.csv and the feedback pages from it, then yields one FinalRow per
student and lab (raw score with the TA's manual scores, late penalty, final score, flags), the
same numbers grades.csv shows. LMS writers use rows(). The late rule is grade/lateness.py's (due
dates and extensions from course.toml). Exported scores are the final ones; main() returns which
submissions were late.
"""
from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from autograder import course as course_mod
from autograder.grade import tables
from autograder.grade.lateness import DAY, Late, late_rule, parse_timestamp, read_extensions  # noqa: F401

FORMATS = {"canvas": "canvas.csv", "csv": "grades_export.csv"}
CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


@dataclass(frozen=True)
class FinalRow:
    """One student's lab as every export shows it."""
    student: str
    lab: str
    raw: float
    penalty: float
    final: float
    flags: tuple[str, ...]


def rows(out: str | Path, course) -> Iterator[FinalRow]:
    """The class's final rows, from its gradebook (grades.csv, cells.csv and feedback rewritten)."""
    from autograder.grade.pipeline import refresh

    for row in refresh(Path(out), course):
        yield FinalRow(student=row["student"], lab=row["lab"], raw=float(row["score"]), penalty=float(row["penalty"]),
                       final=float(row["final"]), flags=tuple(row["flags"]))


@dataclass
class Export:
    path: Path
    late: list[Late] = field(default_factory=list)

    def describe(self) -> str:
        lines = [f"wrote {self.path}"]
        lines += [f"  late: {late.describe()}" for late in self.late]
        return "\n".join(lines)


def _num(x: float) -> str:
    return f"{round(x, 4):g}"


def _read_roster(path: Path | str) -> dict[str, dict]:
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if rows and "student_id" not in rows[0]:
        raise ValueError(f"roster {path}: needs a student_id column (and any of {', '.join(CANVAS_IDENTITY)})")
    return {row["student_id"]: row for row in rows}


def _write(path: Path, rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    os.replace(tmp, path)


def main(*, out: str | Path, format: str = "canvas", dest: str | Path | None = None,
         roster: str | Path | None = None, course_toml: str | Path = course_mod.COURSE_TOML) -> Export:
    """Write the class's gradebook, late penalties applied, for Canvas or as a plain csv.

    Args:
        out: the folder `autograder grade` wrote (its .units/ holds the results).
        format: "canvas" (Canvas's gradebook import CSV) or "csv" (student_id, labs, total).
        dest: the file to write (default: OUT/canvas.csv or OUT/grades_export.csv).
        roster: optional CSV with student_id and Canvas's Student, ID, SIS User ID, SIS Login ID,
            Section columns, used for the canvas format's identity columns.
        course_toml: the course description (points, due dates, late rule).
    Returns:
        an Export: the file written and the late submissions with their penalties.
    Raises:
        ValueError: an unknown format, or a roster without a student_id column.
        FileNotFoundError: OUT does not exist.
        ValueError: OUT is not a grading output, or a unit it lists has no readable result.
    """
    if format not in FORMATS:
        raise ValueError(f"--format {format!r}: choose one of {', '.join(FORMATS)}")
    course = course_mod.load(course_toml)
    final = {(r.student, r.lab): r for r in rows(out, course) if r.lab in course.lab_ids}
    labs = [lab for lab in course.labs if any(lab_id == lab.id for _, lab_id in final)]
    students = sorted({student for student, _ in final})
    extensions = read_extensions(course)

    def score(student: str, lab_id: str) -> str:
        row = final.get((student, lab_id))
        return _num(row.final) if row else ""  # blank: Canvas leaves the grade as it is

    if format == "canvas":
        people = _read_roster(roster) if roster else {}
        table = [CANVAS_IDENTITY + [f"{lab.title} ({lab.id})" for lab in labs],
                ["Points Possible", "", "", "", ""] + [_num(lab.points) for lab in labs]]
        for s in students:
            who = people.get(s, {})
            identity = [who.get("Student") or s, who.get("ID", ""), who.get("SIS User ID", ""),
                        who.get("SIS Login ID") or s, who.get("Section", "")]
            table.append(identity + [score(s, lab.id) for lab in labs])
    else:
        table = [["student_id"] + [lab.id for lab in labs] + ["total"]]
        for s in students:
            total = sum(final[(s, lab.id)].final for lab in labs if (s, lab.id) in final)
            table.append([s] + [score(s, lab.id) for lab in labs] + [_num(total)])
    path = Path(dest) if dest else Path(out) / FORMATS[format]
    _write(path, table)
    results = {(r["student"], r["lab"]): r for r in tables.read_results(Path(out))}
    lates = {k: late_rule(dict(results[k], score=final[k].raw), course, extensions) for k in final}
    late = [lates[k] for k in sorted(lates, key=lambda k: (k[0], course.lab_ids.index(k[1])))
            if lates[k].days > 0 or lates[k].problem]
    return Export(path=path, late=late)
