"""nbgrader's gradebook: the one truth about a graded class.

- a template (the labs' notebooks and cells, from generate_assignment), built once per content and
  copied into each unit's private course folder and into the class gradebook;
- the class gradebook, OUT/gradebook.db, written from the unit results in one go, to a temporary
  file then put in place at once (never half-written, never two writers; _put_in_place): students, submissions with their
  timestamps, the labs' due dates (course.toml) and the students' extensions (nbgrader's own
  `extension`), every cell's autograde score, the late penalty, and the TA's manual scores and
  comments carried over from the gradebook it replaces;
- read_class: the class as the gradebook says, for grades.csv, cells.csv, feedback, report and
  export: a TA's manual score replaces the autograde score, a written answer a TA has not graded
  scores 0 and is flagged `needs-manual-grade`.

Manual grades survive a regrade while what they judged is unchanged (unit.digests: an answer
cell's text, or for a test cell all of the student's code). When it changed, the manual score is
not carried over: the cell needs a TA again and is flagged `manual-grade-outdated`, with a note
of the old score. The digests the gradebook was written with are kept in OUT/.units/manual.json.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field
from datetime import timezone
from pathlib import Path

from autograder.course import Course
from autograder.grade.lateness import late_rule, parse_timestamp, read_extensions
from autograder.nbgrader_config import generate_assignment

STATE = "manual.json"


def generate_into(course: Course, labs: list[str], db_path: Path) -> None:
    """Record the labs' notebooks and graded cells in the gradebook at db_path (generate_assignment)."""
    for lab in labs:
        with tempfile.TemporaryDirectory(prefix="ag-gen-") as tmp:
            generate_assignment(course, lab, db_url=f"sqlite:///{db_path}", release_dir=Path(tmp) / "release")


@contextlib.contextmanager
def unsynced():
    """SQLite commits that do not wait for the disk (synchronous=OFF, the journal in memory), for
    gradebooks that are scratch files (templates, a unit's private gradebook) or a temporary file
    synced once before it is put in place. nbgrader commits after every cell: waiting for the disk
    each time was half of building a gradebook here (4.8 s -> 2.5 s for the five labs)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    def no_sync(connection, _record):
        if isinstance(connection, sqlite3.Connection):
            connection.execute("PRAGMA synchronous=OFF")
            connection.execute("PRAGMA journal_mode=MEMORY")

    event.listen(Engine, "connect", no_sync)
    try:
        yield
    finally:
        event.remove(Engine, "connect", no_sync)


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


@dataclass
class Manual:
    """What TAs set by hand in a class gradebook, and what it judged."""
    scores: dict = field(default_factory=dict)     # (student, lab, grade_id) -> manual score
    comments: dict = field(default_factory=dict)   # (student, lab, cell) -> comment text
    digests: dict = field(default_factory=dict)    # "student/lab" -> {cell: digest}
    outdated: dict = field(default_factory=dict)   # "student/lab/cell" -> note


def read_manual(out: Path, course: Course) -> Manual:
    """The manual scores and comments of OUT/gradebook.db (none when there is no gradebook yet)."""
    from nbgrader.api import Gradebook

    manual = Manual()
    db = out / "gradebook.db"
    try:
        state = json.loads((out / ".units" / STATE).read_text())
        manual.digests, manual.outdated = state.get("digests", {}), state.get("outdated", {})
    except (OSError, ValueError):
        pass
    if not db.is_file():
        return manual
    with Gradebook(f"sqlite:///{db}", course.id) as gb:
        names = cell_names(gb)
        for assignment in gb.assignments:
            for submission in assignment.submissions:
                student = submission.student.id
                for nb in submission.notebooks:
                    for grade in nb.grades:
                        if grade.manual_score is not None:
                            manual.scores[(student, assignment.name, names[grade.cell_id])] = float(grade.manual_score)
                    for comment in nb.comments:
                        if comment.manual_comment:
                            manual.comments[(student, assignment.name, names[comment.cell_id])] = comment.manual_comment
    return manual


def write_class_gradebook(course: Course, results: list[dict], db_path: Path,
                          manual: Manual | None = None) -> Manual:
    """Write OUT/gradebook.db from the unit results, the TA's grades carried over where what they
    judged is unchanged. Returns what was carried and what became outdated (saved beside it)."""
    from nbgrader.api import Gradebook

    manual = manual or Manual()
    extensions = read_extensions(course)
    kept = Manual()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = db_path.with_name(f".{db_path.name}.{os.getpid()}.tmp")
    if tmp.exists():
        tmp.unlink()
    labs = sorted({r["lab"] for r in results}, key=course.lab_ids.index)
    used = template(course, labs, db_path.parent / ".units")
    shutil.copy(used, tmp)
    for old in used.parent.glob("template-*.db"):  # other contents or labs: no longer needed
        if old != used:
            old.unlink(missing_ok=True)
    with unsynced(), Gradebook(f"sqlite:///{tmp}", course.id) as gb:
        for lab in labs:
            gb.update_or_create_assignment(lab, duedate=_naive_utc(course.lab(lab).due))
        names = cell_names(gb)
        for result in results:
            student, lab = result["student"], result["lab"]
            gb.update_or_create_student(student)
            kwargs = {}
            if result.get("timestamp"):
                try:
                    kwargs["timestamp"] = _naive_utc(parse_timestamp(result["timestamp"]))
                except ValueError:
                    pass
            if (student, lab) in extensions:
                kwargs["extension"] = extensions[(student, lab)] - course.lab(lab).due
            submission = gb.update_or_create_submission(lab, student, **kwargs)
            old = manual.digests.get(f"{student}/{lab}", {})
            new = result.get("digests", {})
            if new:
                kept.digests[f"{student}/{lab}"] = new
            nb = gb.find_submission_notebook(lab, lab, student)
            scores = {c["grade_id"]: c for c in result["cells"]}
            for grade in nb.grades:
                name = names[grade.cell_id]
                cell = scores.get(name)
                is_manual = cell is None or cell.get("manual")
                grade.auto_score = None if is_manual else cell["score"]
                grade.needs_manual_grade = bool(is_manual)
                key = (student, lab, name)
                where = f"{student}/{lab}/{name}"
                if key in manual.scores and old.get(name) and old.get(name) == new.get(name):
                    grade.manual_score = manual.scores[key]
                    grade.needs_manual_grade = False
                elif key in manual.scores:
                    grade.needs_manual_grade = True
                    kept.outdated[where] = (f"{name}: changed since a TA graded it "
                                            f"({manual.scores[key]:g} of {grade.max_score:g}): grade it again")
                elif where in manual.outdated:
                    grade.needs_manual_grade = True
                    kept.outdated[where] = manual.outdated[where]
            for comment in nb.comments:
                name = names[comment.cell_id]
                key = (student, lab, name)
                if key not in manual.comments:
                    continue
                if old.get(name) and old.get(name) == new.get(name):
                    comment.manual_comment = manual.comments[key]
                else:
                    kept.outdated.setdefault(f"{student}/{lab}/{name}", (
                        f"{name}: changed since a TA commented on it (\"{manual.comments[key][:200]}\"): "
                        f"read it again"))
            gb.db.commit()
            # nbgrader's own total and late penalty agree with grades.csv (`nbgrader export`)
            late = late_rule(dict(result, score=float(submission.score)), course, extensions)
            nb.late_submission_penalty = late.penalty
            gb.db.commit()
    _synced(tmp)
    _put_in_place(tmp, db_path)
    state = db_path.parent / ".units" / STATE
    state.parent.mkdir(parents=True, exist_ok=True)
    state_tmp = state.with_name(f".{STATE}.tmp")
    state_tmp.write_text(json.dumps({"digests": kept.digests, "outdated": kept.outdated}, indent=1, sort_keys=True))
    os.replace(state_tmp, state)
    return kept


def _put_in_place(new: Path, db_path: Path) -> None:
    """The new gradebook at db_path, all at once. A first one is moved there; later ones are copied
    into the existing file in one SQLite transaction (the backup API), so a formgrader that keeps
    the file open sees the regraded class and keeps writing to the file, not to a replaced one."""
    if not db_path.exists():
        os.replace(new, db_path)
        return
    source, target = sqlite3.connect(new), sqlite3.connect(db_path, timeout=60)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    new.unlink()


def read_class(out: Path, results: list[dict], course: Course) -> list[dict]:
    """The unit results as the class gradebook says: each cell's score (the TA's, else the
    autograder's), the TA's comments, the raw score, the late penalty, the final score and the flags.

    Adds to each result: `penalty`, `final`, `late` (lateness.Late), `comments` {cell: text};
    each cell gains `manual_score` (None when no TA set one) and `needs_manual_grade`."""
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
            row = dict(result, flags=list(result["flags"]), notes=list(result["notes"]), comments={})
            try:
                nb = gb.find_submission_notebook(result["lab"], result["lab"], result["student"])
                grades = {names[g.cell_id]: g for g in nb.grades}
                row["comments"] = {names[c.cell_id]: c.manual_comment for c in nb.comments if c.manual_comment}
            except MissingEntry:
                grades = {}
            cells, needs = [], False
            for cell in result["cells"]:
                grade = grades.get(cell["grade_id"])
                cell = dict(cell, manual_score=None, needs_manual_grade=bool(cell.get("manual")))
                if grade is not None:
                    cell["needs_manual_grade"] = bool(grade.needs_manual_grade)
                    if grade.manual_score is not None:
                        cell["manual_score"] = float(grade.manual_score)
                        cell["score"] = float(grade.manual_score)
                    elif cell.get("manual"):
                        cell["score"] = 0.0
                needs |= cell["needs_manual_grade"]
                cells.append(cell)
            row["cells"] = cells
            row["score"] = round(sum(c["score"] for c in cells), 6)
            late = late_rule(row, course, extensions)
            row.update(late=late, penalty=late.penalty, final=late.penalised)
            if late.days > 0:
                row["flags"].append("late")
                due = late.extended_to or course.lab(result["lab"]).due
                row["notes"].append(f"submitted {late.seconds / 3600:.1f} h after the due date "
                                    f"{due.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC"
                                    f"{' (extended)' if late.extended_to else ''}: {late.days} started "
                                    f"day{'s' * (late.days != 1)} late, {late.penalty:g} points off")
            elif late.extended_to:
                row["notes"].append(f"extension to {late.extended_to.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC: "
                                    f"on time")
            if needs and result["status"] not in ("missing", "unreadable"):  # no answer to read: nothing to grade
                row["flags"].append("needs-manual-grade")
            prefix = f"{result['student']}/{result['lab']}/"
            stale = [note for key, note in sorted(outdated.items()) if key.startswith(prefix)
                     and (key[len(prefix):] not in grades or grades[key[len(prefix):]].needs_manual_grade)]
            if stale:
                row["flags"].append("manual-grade-outdated")
                row["notes"] += [f"for a TA: {note}" for note in stale]
            row["flags"] = sorted(set(row["flags"]))
            rows.append(row)
    return rows
