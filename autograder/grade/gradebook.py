"""nbgrader's gradebook: the one truth about a graded class.

- a template (the labs' notebooks and cells, from generate_assignment), built once per content and
  copied into each unit's private course folder and into the class gradebook;
- the class gradebook, OUT/gradebook.db, the class's for the whole term: built once from the
  template (in a temporary file, put in place at once), then updated in place, unit by unit, for the
  units a run graded and no other: students, submissions with their timestamps, the labs' due dates
  (course.toml) and the students' extensions (nbgrader's own `extension`), every cell's autograde
  score, the late penalty. Rows are never replaced, so the ids formgrader holds stay valid, and a
  TA's manual scores and comments stay where they are; it records its course (check_course);
- read_class: the class as the gradebook says, for grades.csv, cells.csv, feedback, report and
  export: a TA's manual score replaces the autograde score, a written answer a TA has not graded
  scores 0 and is flagged `needs-manual-grade`.

Manual grades survive a regrade while what they judged is unchanged (unit.digests: an answer
cell's text, or for a test cell all of the student's code). When it changed, the manual score
(or comment) is cleared: the cell needs a TA again and is flagged `manual-grade-outdated`, with a
note of the old score. The digests the gradebook was written with, and those of the labs' source
notebooks it holds, are kept in OUT/.units/manual.json.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
from dataclasses import replace
from datetime import timezone
from pathlib import Path

from autograder.course import Course
from autograder.grade.lateness import late_rule, parse_timestamp, read_extensions
from autograder.grade.result import NOTHING_RAN, Cell, Flag, UnitResult
from autograder.nbgrader_config import generate_assignment

STATE = "manual.json"


def generate_into(course: Course, labs: list[str], db_path: Path) -> None:
    """Record the labs' notebooks and graded cells in the gradebook at db_path (generate_assignment)."""
    for lab in labs:
        with tempfile.TemporaryDirectory(prefix="ag-gen-") as tmp:
            generate_assignment(course, lab, db_url=f"sqlite:///{db_path}", release_dir=Path(tmp) / "release")


@contextlib.contextmanager
def _pragmas(*statements: str):
    """Every SQLite connection opened inside the block (nbgrader opens its own) runs `statements` first."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    def on_connect(connection, _record):
        if isinstance(connection, sqlite3.Connection):
            for statement in statements:
                connection.execute(statement)

    event.listen(Engine, "connect", on_connect)
    try:
        yield
    finally:
        event.remove(Engine, "connect", on_connect)


def unsynced():
    """SQLite commits that do not wait for the disk (synchronous=OFF, the journal in memory), for
    gradebooks that are scratch files (templates, a unit's private gradebook) or a temporary file
    synced once before it is put in place. nbgrader commits after every cell: waiting for the disk
    each time was half the time of building a gradebook (bench/RESULTS.md)."""
    return _pragmas("PRAGMA synchronous=OFF", "PRAGMA journal_mode=MEMORY")


def template(course: Course, labs: list[str], folder: Path) -> Path:
    """A gradebook holding the labs' notebooks and cells, built once per content: its name is a
    digest of the course id, nbgrader's version and the labs' source notebooks, so a source
    notebook edited between two runs gets a new template, never the last run's."""
    import nbgrader

    h = hashlib.sha256(f"{course.id}\0{nbgrader.__version__}".encode())
    for lab in labs:
        h.update(lab.encode() + b"\0" + course.lab(lab).source_notebook(course.root).read_bytes())
    path = folder / f"template-{h.hexdigest()[:16]}.db"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{path.stem}-{os.getpid()}.db"
        with unsynced():
            generate_into(course, labs, tmp)
        os.replace(tmp, path)
    return path


def cell_names(gb) -> dict[str, str]:
    """{cell id: cell name} of every cell in the gradebook, in one query. A grade's or comment's
    `name` is an association proxy that loads its cell, one query per grade (and again after each
    commit): reading the names here instead was most of writing and reading a class gradebook."""
    from nbgrader.api import BaseCell

    return dict(gb.db.query(BaseCell.id, BaseCell.name).all())


def _synced(path: Path) -> None:
    with open(path, "rb+") as f:
        os.fsync(f.fileno())


def _naive_utc(when):
    return when.astimezone(timezone.utc).replace(tzinfo=None)


def check_course(out: Path, course: Course) -> None:
    """OUT belongs to one course: its gradebook records the course id (nbgrader's course table).
    Grading or exporting another course into it would mix two classes."""
    db = Path(out) / "gradebook.db"
    if not db.is_file():
        return
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=60)) as con:
            ids = [row[0] for row in con.execute("SELECT id FROM course")]
    except sqlite3.Error as exc:
        raise ValueError(f"{db} is not a readable gradebook ({exc}): restore it from a backup") from None
    if ids and course.id not in ids:
        raise ValueError(f"{out} holds the class of course {ids[0]!r}, but {course.path} is course {course.id!r}: "
                         f"use that course's course.toml (--course), or another --out folder")


def _read_state(out: Path) -> dict:
    try:
        state = json.loads((out / ".units" / STATE).read_text())
    except (OSError, ValueError):
        state = {}
    return {"digests": state.get("digests", {}), "outdated": state.get("outdated", {}),
            "sources": state.get("sources", {})}


def _write_state(out: Path, state: dict) -> None:
    path = out / ".units" / STATE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{STATE}.tmp")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True))
    os.replace(tmp, path)


def _source_digest(course: Course, lab: str) -> str:
    return hashlib.sha256(course.lab(lab).source_notebook(course.root).read_bytes()).hexdigest()[:16]


def shared_with_formgrader():
    """SQLite settings for writing the live class gradebook while formgrader may write it too:
    wait for its short transactions (busy timeout) rather than fail, and commit each unit on its
    own, so a TA's save waits milliseconds, never the whole run."""
    return _pragmas("PRAGMA busy_timeout=120000")


def _graded_units(gb) -> set[tuple[str, str]]:
    rows = gb.db.execute(_sql("SELECT submitted_assignment.student_id, assignment.name FROM submitted_assignment "
                              "JOIN assignment ON assignment.id = submitted_assignment.assignment_id"))
    return {(student, lab) for student, lab in rows}


def _sql(text: str):
    from sqlalchemy import text as sql_text

    return sql_text(text)


def write_class_gradebook(course: Course, results: list[UnitResult], db_path: Path,
                          graded: set[tuple[str, str]] | None = None) -> None:
    """Write OUT/gradebook.db from the unit results. A new gradebook is built in a temporary file
    and put in place at once. An existing one is updated in place, only for the units in `graded`
    (default: all) and those it does not hold yet: every other submission, grade and comment keeps
    its row and id (formgrader's pages hold them), and a TA's manual scores and comments stay on the
    regraded units where what they judged is unchanged (unit digests). A TA saving in formgrader
    meanwhile waits for one unit's commit at most."""
    from nbgrader.api import Gradebook

    out = db_path.parent
    out.mkdir(parents=True, exist_ok=True)
    labs = sorted({r.lab for r in results}, key=course.lab_ids.index)
    fresh = not db_path.exists()
    if fresh:
        target, state = _new_gradebook(course, labs, db_path)
    else:
        target, state = db_path, _read_state(out)
        _record_labs(course, labs, db_path, state)
    extensions = read_extensions(course)
    with (unsynced() if fresh else shared_with_formgrader()), Gradebook(f"sqlite:///{target}", course.id) as gb:
        for lab in labs:
            gb.update_or_create_assignment(lab, duedate=_naive_utc(course.lab(lab).due))
        names = cell_names(gb)
        held = _graded_units(gb)
        for result in results:
            key = (result.student, result.lab)
            if fresh or graded is None or key in graded or key not in held:
                _write_unit(gb, course, result, names, state, extensions)
    if fresh:
        _synced(target)
        os.replace(target, db_path)
    _write_state(out, state)


def _new_gradebook(course: Course, labs: list[str], db_path: Path) -> tuple[Path, dict]:
    """A new class gradebook from the labs' template, in a temporary file beside db_path, and its state."""
    target = db_path.with_name(f".{db_path.name}.{os.getpid()}.tmp")
    target.unlink(missing_ok=True)
    used = template(course, labs, db_path.parent / ".units")
    shutil.copy(used, target)
    for old in used.parent.glob("template-*.db"):  # other contents or labs: no longer needed
        if old != used:
            old.unlink(missing_ok=True)
    return target, {"digests": {}, "outdated": {}, "sources": {lab: _source_digest(course, lab) for lab in labs}}


def _record_labs(course: Course, labs: list[str], db_path: Path, state: dict) -> None:
    """In the class's gradebook: each lab graded here for the first time, or whose source notebook changed."""
    from nbgrader.api import Gradebook

    check_course(db_path.parent, course)
    with shared_with_formgrader(), Gradebook(f"sqlite:///{db_path}", course.id) as gb:
        present = {a.name for a in gb.assignments}
    for lab in labs:
        digest = _source_digest(course, lab)
        if lab not in present or state["sources"].get(lab) != digest:
            try:
                with shared_with_formgrader():
                    generate_into(course, [lab], db_path)
            except Exception as exc:  # noqa: BLE001 - nbgrader's refusal, said in one line
                raise ValueError(f"{db_path}: could not record lab {lab}'s source notebook in the gradebook "
                                 f"({type(exc).__name__}: {str(exc)[:300]}): restore source/{lab}/ as it "
                                 f"was when the class was graded") from None
            state["sources"][lab] = digest


def _write_unit(gb, course: Course, result: UnitResult, names: dict, state: dict, extensions: dict) -> None:
    """One unit into the gradebook, in place: its submission, autograde scores, late penalty; the
    TA's manual score or comment is cleared (and noted for a TA) only when what it judged changed."""
    student, lab = result.student, result.lab
    gb.update_or_create_student(student)
    kwargs = {}
    if result.timestamp:
        try:
            kwargs["timestamp"] = _naive_utc(parse_timestamp(result.timestamp))
        except ValueError:
            pass
    if (student, lab) in extensions:
        kwargs["extension"] = extensions[(student, lab)] - course.lab(lab).due
    submission = gb.update_or_create_submission(lab, student, **kwargs)
    unit = f"{student}/{lab}"
    old = state["digests"].get(unit, {})
    new = result.digests or {}
    if new:
        state["digests"][unit] = new
    else:
        state["digests"].pop(unit, None)
    outdated = {k: v for k, v in state["outdated"].items() if k.startswith(unit + "/")}
    for k in outdated:
        del state["outdated"][k]
    nb = gb.find_submission_notebook(lab, lab, student)
    scores = {c.grade_id: c for c in result.cells}
    for grade in nb.grades:
        name = names[grade.cell_id]
        cell = scores.get(name)
        is_manual = cell is None or cell.manual
        auto = None if is_manual else cell.score
        if grade.auto_score != auto:
            grade.auto_score = auto
        where = f"{unit}/{name}"
        unchanged = bool(old.get(name)) and old.get(name) == new.get(name)
        if grade.manual_score is not None and not unchanged:
            state["outdated"][where] = (f"{name}: changed since a TA graded it ({float(grade.manual_score):g} of "
                                        f"{grade.max_score:g}): grade it again")
            grade.manual_score = None
            needs = True
        elif grade.manual_score is not None:
            needs = False
        elif where in outdated:  # not graded again since it changed
            state["outdated"][where] = outdated[where]
            needs = True
        else:
            needs = is_manual
        if grade.needs_manual_grade != needs:
            grade.needs_manual_grade = needs
    _clear_outdated_comments(nb, names, unit, old, new, state)
    gb.db.commit()
    # nbgrader's own total and late penalty agree with grades.csv (`nbgrader export`)
    late = late_rule(result, course, extensions, score=float(submission.score))
    if nb.late_submission_penalty != late.penalty:
        nb.late_submission_penalty = late.penalty
        gb.db.commit()


def _clear_outdated_comments(nb, names: dict, unit: str, old: dict, new: dict, state: dict) -> None:
    """A TA's comment on what changed since is cleared, and noted for a TA with its text."""
    for comment in nb.comments:
        name = names[comment.cell_id]
        if not comment.manual_comment or (old.get(name) and old.get(name) == new.get(name)):
            continue
        state["outdated"].setdefault(f"{unit}/{name}", (
            f"{name}: changed since a TA commented on it (\"{comment.manual_comment[:200]}\"): read it again"))
        comment.manual_comment = None


def read_class(out: Path, results: list[UnitResult], course: Course) -> list[UnitResult]:
    """The unit results as the class gradebook says: each cell's score (the TA's, else the
    autograder's), the TA's comments, the raw score, the late penalty, the final score and the flags.

    Each result is copied with its `penalty`, `final`, `late` (lateness.Late) and `comments`
    {cell: text} set, and each cell with its `manual_score` (None when no TA set one) and
    `needs_manual_grade`."""
    from nbgrader.api import Gradebook, MissingEntry

    extensions = read_extensions(course)
    try:
        state = json.loads((out / ".units" / STATE).read_text())
    except (OSError, ValueError):
        state = {}
    outdated = state.get("outdated", {})
    rows = []
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}", course.id) as gb:
        names = cell_names(gb)
        for result in results:
            try:
                nb = gb.find_submission_notebook(result.lab, result.lab, result.student)
                grades = {names[g.cell_id]: g for g in nb.grades}
                comments = {names[c.cell_id]: c.manual_comment for c in nb.comments if c.manual_comment}
            except MissingEntry:
                grades, comments = {}, {}
            row = replace(result, flags=list(result.flags), notes=list(result.notes), comments=comments,
                          cells=[_as_graded(cell, grades.get(cell.grade_id)) for cell in result.cells])
            _apply_late_rule(row, course, extensions)
            if any(cell.needs_manual_grade for cell in row.cells) and result.status not in NOTHING_RAN:
                row.flags.append(Flag.NEEDS_MANUAL_GRADE)  # (no answer to read: nothing to grade)
            prefix = f"{result.student}/{result.lab}/"
            stale = [note for key, note in sorted(outdated.items()) if key.startswith(prefix)
                     and (key[len(prefix):] not in grades or grades[key[len(prefix):]].needs_manual_grade)]
            if stale:
                row.flags.append(Flag.MANUAL_GRADE_OUTDATED)
                row.notes += [f"for a TA: {note}" for note in stale]
            row.flags = sorted(set(row.flags))
            rows.append(row)
    return rows


def _as_graded(cell: Cell, grade) -> Cell:
    """A unit's cell as the gradebook says: the TA's manual score over the autograder's; a written
    answer no TA graded scores 0."""
    cell = replace(cell, manual_score=None, needs_manual_grade=cell.manual)
    if grade is not None:
        cell.needs_manual_grade = bool(grade.needs_manual_grade)
        if grade.manual_score is not None:
            cell.manual_score = float(grade.manual_score)
            cell.score = float(grade.manual_score)
        elif cell.manual:
            cell.score = 0.0
    return cell


def _apply_late_rule(row: UnitResult, course: Course, extensions: dict) -> None:
    """The row's late penalty and final score (lateness.late_rule), flagged and noted when late."""
    late = late_rule(row, course, extensions)
    row.late, row.penalty, row.final = late, late.penalty, late.penalised
    if late.days > 0:
        row.flags.append(Flag.LATE)
        due = late.extended_to or course.lab(row.lab).due
        row.notes.append(f"submitted {late.seconds / 3600:.1f} h after the due date "
                            f"{due.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC"
                            f"{' (extended)' if late.extended_to else ''}: {late.days} started "
                            f"day{'s' * (late.days != 1)} late, {late.penalty:g} points off")
    elif late.extended_to:
        row.notes.append(f"extension to {late.extended_to.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC: on time")
