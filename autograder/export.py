"""`autograder export`: the class's grades as a gradebook file, with the late rule applied.

Reads the unit results that `autograder grade` left in OUT/.units/ and writes one of:

- canvas, moodle: the LMS's grade import file, written by autograder.lms (see there: Canvas's
  documented columns with `Title (canvas_id)`, Moodle's identifier and grade item columns), with
  identities from a roster and a warning for each student missing from the roster or the grades.
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

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from autograder import course as course_mod
from autograder import lms
from autograder.grade import tables
from autograder.grade.result import Flag
from autograder.grade.lateness import Late, late_rule, read_extensions

FORMATS = {"canvas": "canvas.csv", "moodle": "moodle.csv", "csv": "grades_export.csv"}  # canvas, moodle: lms.py


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
        yield FinalRow(student=row.student, lab=row.lab, raw=float(row.score), penalty=float(row.penalty),
                       final=float(row.awarded), flags=tuple(row.flags))


@dataclass
class Export:
    path: Path
    late: list[Late] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # students missing from the roster or the grades

    def describe(self) -> str:
        lines = [f"wrote {self.path}"]
        lines += [f"  warning: {w}" for w in self.warnings]
        lines += [f"  late: {late.describe()}" for late in self.late]
        unknown = sum(Flag.TIME_UNKNOWN in late.problem for late in self.late)
        if unknown:
            lines.append(f"{unknown} row{'s' * (unknown != 1)} time-unknown: no submission time the LMS recorded, "
                         f"no late penalty computed: a TA settles each (see grades.csv flags)")
        return "\n".join(lines)


def _num(x: float) -> str:
    return f"{round(x, 4):g}"


_write = lms.write_rows  # one atomic CSV writer for every export


def main(*, out: str | Path, format: str = "canvas", dest: str | Path | None = None,
         roster: str | Path | None = None, course_toml: str | Path = course_mod.COURSE_TOML,
         allow_ungraded: bool = False) -> Export:
    """Write the class's gradebook, late penalties applied, for Canvas or as a plain csv.

    Args:
        out: the folder `autograder grade` wrote (its .units/ holds the results).
        format: "canvas", "moodle" (the LMS's grade import CSV) or "csv" (student_id, labs, total).
        dest: the file to write (default: OUT/canvas.csv or OUT/grades_export.csv).
        roster: optional CSV with student_id and the LMS's identity columns (autograder.lms).
        course_toml: the course description (points, due dates, late rule).
        allow_ungraded: export even rows whose written answers no TA has graded yet (they score 0).
    Returns:
        an Export: the file written and the late submissions with their penalties.
    Raises:
        ValueError: an unknown format, a roster without a student_id column, or rows waiting for a
            TA (needs-manual-grade) without allow_ungraded.
        FileNotFoundError: OUT does not exist.
        ValueError: OUT is not a grading output, or a unit it lists has no readable result.
    """
    if format not in FORMATS:
        raise ValueError(f"--format {format!r}: choose one of {', '.join(FORMATS)}")
    course = course_mod.load(course_toml)
    final = {(r.student, r.lab): r for r in rows(out, course) if r.lab in course.lab_ids}
    ungraded = [key for key, row in final.items() if Flag.NEEDS_MANUAL_GRADE in row.flags]
    if ungraded and not allow_ungraded:
        labs_waiting = ", ".join(lab for lab in course.lab_ids if any(k[1] == lab for k in ungraded))
        raise ValueError(f"export: {len(ungraded)} row{'s' * (len(ungraded) != 1)} of {out} "
                         f"({labs_waiting}) still wait{'s' * (len(ungraded) == 1)} for a TA (needs-manual-grade): "
                         f"grade the written answers in formgrader (`autograder formgrader {out}`), or pass "
                         f"--allow-ungraded to export them as they are")
    labs = [lab for lab in course.labs if any(lab_id == lab.id for _, lab_id in final)]
    students = sorted({student for student, _ in final})
    extensions = read_extensions(course)

    def score(student: str, lab_id: str) -> str:
        row = final.get((student, lab_id))
        return _num(row.final) if row else ""  # blank: Canvas leaves the grade as it is

    path = Path(dest) if dest else Path(out) / FORMATS[format]
    results = {(r.student, r.lab): r for r in tables.read_results(Path(out))}
    lates = {k: late_rule(results[k], course, extensions, score=final[k].raw) for k in final}
    late = [lates[k] for k in sorted(lates, key=lambda k: (k[0], course.lab_ids.index(k[1])))
            if lates[k].days > 0 or lates[k].problem]
    if format in lms.WRITERS:
        scores = {key: row.final for key, row in final.items()}
        return Export(path=path, late=late, warnings=lms.write(format, path, course, labs, scores, roster))
    table = [["student_id"] + [lab.id for lab in labs] + ["total"]]
    for s in students:
        total = sum(final[(s, lab.id)].final for lab in labs if (s, lab.id) in final)
        table.append([s] + [score(s, lab.id) for lab in labs] + [_num(total)])
    _write(path, table)
    return Export(path=path, late=late)
