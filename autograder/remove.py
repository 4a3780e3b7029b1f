"""`autograder remove OUT --students ID... [--labs LAB...]`: take graded notebooks out of a class.

OUT holds the class for the whole term and `grade` never removes a row; a student who left, or a
notebook graded into the wrong class, is removed here, explicitly: from the gradebook (nbgrader's
own remove_submission / remove_student, one short transaction each), OUT/.units, OUT/autograded
and OUT/feedback; then grades.csv, cells.csv and the other feedback pages are rewritten."""
from __future__ import annotations

import shutil
from pathlib import Path

from autograder import course as course_mod
from autograder.grade import gradebook, tables


def main(*, out: str | Path, students: list[str], labs: list[str] | None = None,
         course_toml: str | Path = course_mod.COURSE_TOML) -> str:
    """Remove these students' graded notebooks (with labs: only those labs); returns one line.

    Raises:
        FileNotFoundError: OUT does not exist.
        ValueError: OUT is not a graded class of this course, or holds no such student or lab.
    """
    from nbgrader.api import Gradebook

    from autograder.grade.pipeline import _write_derived, check_output

    course = course_mod.load(course_toml)
    out = Path(out).resolve()
    results = tables.read_results(out)
    check_output(out, course)
    held = {(r.student, r.lab) for r in results}
    for student in students:
        if not any(s == student for s, _ in held):
            raise ValueError(f"remove: {out} holds no student {student!r}: use an id from {out / 'grades.csv'}")
    for lab in labs or []:
        course.lab(lab)  # an unknown lab: one line naming course.toml's
    units = [(s, lab) for s, lab in sorted(held) if s in students and (not labs or lab in labs)]
    if not units:
        raise ValueError(f"remove: {out} holds no graded notebook of {', '.join(students)} for "
                         f"{', '.join(labs or [])}: nothing removed")
    with gradebook.shared_with_formgrader(), Gradebook(f"sqlite:///{out / 'gradebook.db'}", course.id) as gb:
        for student, lab in units:
            gb.remove_submission(lab, student)
        left = {s for s, _ in held - set(units)}
        for student in sorted(set(students) - left):
            gb.remove_student(student)
    state = gradebook._read_state(out)
    for student, lab in units:
        (out / ".units" / student / f"{lab}.json").unlink(missing_ok=True)
        shutil.rmtree(out / "autograded" / student / lab, ignore_errors=True)
        (out / "feedback" / student / f"{lab}.html").unlink(missing_ok=True)
        shutil.rmtree(out / "feedback" / student / lab, ignore_errors=True)
        state["digests"].pop(f"{student}/{lab}", None)
        for key in [k for k in state["outdated"] if k.startswith(f"{student}/{lab}/")]:
            del state["outdated"][key]
    gradebook._write_state(out, state)
    _write_derived(out, [r for r in results if (r.student, r.lab) not in set(units)], course)
    return f"removed {len(units)} graded notebook{'s' * (len(units) != 1)} from {out}: " + ", ".join(
        f"{s} {lab}" for s, lab in units)
