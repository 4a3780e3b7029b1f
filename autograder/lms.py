"""Grade files that an LMS imports into the assignments it already has, and the class roster.

Canvas (Grades > Import, "How do I import grades in the Gradebook?",
https://community.canvaslms.com/t5/Instructor-Guide/How-do-I-import-grades-in-the-Gradebook/ta-p/807):
a CSV whose first columns are `Student, ID, SIS User ID, SIS Login ID, Section`, then one column per
assignment titled `Assignment Title (numeric id)`. Canvas fills the existing assignment only when the
id in parentheses is the assignment's numeric id (course.toml's `canvas_id`); any other title makes
a new assignment. A row is matched to a student by ID, SIS User ID or SIS Login ID. A blank cell
leaves that grade as it is. The second row, `Points Possible`, is read-only in Canvas's own export
and ignored on import; it is written so that a TA can check the points at a glance.

Moodle (Grades > Import > CSV file, moodle/moodle grade/import/csv/classes/load_data.php): a CSV with
an identifier column, mapped on import to a user field (email address, username, ID number or user
id: `map_user_data_with_value`), and one column per grade item, mapped to an existing item. Columns
here: `Email address`, `Username`, `ID number` (from the roster; without one the student id fills
`Username`), then one column per lab headed by course.toml's `moodle_item` (else the lab's title).

The roster, one CSV for `collect` and `export`: a `student_id` column (nbgrader's id) and any of
Canvas's `Student, ID, SIS User ID, SIS Login ID, Section` and Moodle's `Full name, Email address,
Username, ID number`; or the LMS's own export as it downloads (Canvas's gradebook export, Moodle's
participants export: read_roster)."""
from __future__ import annotations

from pathlib import Path

from autograder.course import Course, Lab

CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_IDENTITY = ["Email address", "Username", "ID number"]
ROSTER_COLUMNS = CANVAS_IDENTITY + ["Full name"] + MOODLE_IDENTITY


class RosterError(ValueError):
    pass


def _student_id(row: dict) -> str:
    """nbgrader's id for a roster row: its `student_id`; in an LMS's own export, Canvas's SIS Login ID
    (else its user ID), Moodle's Username (else ID number, else the email address before the @)."""
    for column in ("student_id", "SIS Login ID", "ID", "Username", "ID number"):
        if row.get(column):
            return row[column]
    return row.get("Email address", "").split("@")[0]


def read_roster(path: Path | str, *, needs: str | None = None) -> dict[str, dict]:
    """student_id -> that student's row. `needs` names a column every row must fill.

    Reads the roster as the LMS exports it, unedited: the separator (`,` `;` tab) and a UTF-8 BOM
    are detected; Canvas's gradebook export's "Points Possible" row (and its muted/read-only rows)
    are skipped; Moodle's participants export's First name and Last name give the Full name and
    only its rows whose Roles name a student are kept. Without a `student_id` column, in a file that
    is one of those exports (Canvas: Student and ID; Moodle: Full name and Email address), the id
    comes from the LMS's columns (_student_id).

    Raises:
        FileNotFoundError: no such file.
        RosterError: no column to take student ids from, a student id twice, or a row without `needs`.
    """
    from autograder.submission_times import csv_rows

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no roster at {path}: pass --roster path/to/roster.csv")
    try:
        text = path.read_bytes().decode("utf-8-sig")  # utf-8-sig: spreadsheets write a BOM
    except UnicodeDecodeError:
        raise RosterError(f"roster {path}: not UTF-8 text: export it from the LMS as CSV (UTF-8)") from None
    columns, body = csv_rows(text)
    if "Full name" not in columns and "First name" in columns and "Last name" in columns:
        columns.append("Full name")
        for _, row in body:
            row["Full name"] = f"{row['First name']} {row['Last name']}".strip()
    canvas_export = {"Student", "ID"} <= set(columns)  # Canvas's gradebook export
    moodle_export = "Email address" in columns and "Full name" in columns  # Moodle's participants export
    if "student_id" not in columns and not (canvas_export or moodle_export):
        raise RosterError(f"roster {path}: no student_id column (found: {', '.join(columns) or 'nothing'}): add one "
                          f"with nbgrader's student ids, beside any of {', '.join(ROSTER_COLUMNS)}, or give the "
                          f"LMS's own export unedited (Canvas's gradebook, Moodle's participants)")
    if needs and needs not in columns:
        raise RosterError(f"roster {path}: no {needs!r} column, which this LMS matches students by: add it")
    people: dict[str, dict] = {}
    for line, row in body:
        first = row.get(columns[0], "")
        if first.strip() in ("Points Possible",) or (first.strip() == "" and "Points Possible" in row.values()):
            continue  # Canvas's second row: each assignment's points, not a student
        if "Roles" in columns and "student" not in row.get("Roles", "").lower():
            continue  # Moodle's participants: teachers and TAs too
        sid = _student_id(row)
        if not sid:
            raise RosterError(f"roster {path}: line {line}: student_id is empty: fill it or delete the line")
        if sid in people:
            raise RosterError(f"roster {path}: line {line}: student_id {sid!r} appears twice: keep one line")
        if needs and not row.get(needs):
            raise RosterError(f"roster {path}: line {line}: {sid}: {needs!r} is empty: fill it from the LMS")
        people[sid] = dict(row, student_id=sid)
    return people


def _num(x: float) -> str:
    return f"{round(x, 4):g}"


def write_rows(path: Path, rows: list[list]) -> None:
    """Write a CSV atomically, every text that would start a formula made plain text (grade/tables.py)."""
    from autograder.grade.tables import write_csv

    path.parent.mkdir(parents=True, exist_ok=True)
    write_csv(path, rows)


def _students(scores: dict[tuple[str, str], float], people: dict[str, dict], roster: bool) -> tuple[list, list]:
    """The students to write, and a warning for each one missing from the roster or the grades."""
    graded = sorted({s for s, _ in scores})
    warnings = []
    if roster:
        warnings += [f"{s}: graded but not in the roster: matched by student id alone, check the row"
                     for s in graded if s not in people]
        warnings += [f"{s}: in the roster but has no grades: left blank (the LMS keeps what it has)"
                     for s in sorted(people) if s not in graded]
    else:
        warnings.append("no --roster: students are matched by student id alone (SIS Login ID / Username)")
    return graded, warnings


def canvas(path: Path, course: Course, labs: list[Lab], scores: dict[tuple[str, str], float],
           people: dict[str, dict], *, roster: bool) -> list[str]:
    """Write Canvas's gradebook import CSV; return the warnings.

    Raises:
        ValueError: a lab without a canvas_id in course.toml."""
    for lab in labs:
        if lab.canvas_id is None:
            raise ValueError(f"{course.path}: lab {lab.id!r}: no canvas_id: add `canvas_id = <number>` (the digits "
                             f"at the end of the assignment's Canvas address), or Canvas makes a new assignment")
    students, warnings = _students(scores, people, roster)
    rows = [CANVAS_IDENTITY + [f"{lab.title} ({lab.canvas_id})" for lab in labs],
            ["Points Possible", "", "", "", ""] + [_num(lab.points) for lab in labs]]
    for s in students:
        who = people.get(s, {})
        identity = [who.get("Student", ""), who.get("ID", ""), who.get("SIS User ID", ""),
                    who.get("SIS Login ID") or s, who.get("Section", "")]
        rows.append(identity + [_num(scores[s, lab.id]) if (s, lab.id) in scores else "" for lab in labs])
    write_rows(path, rows)
    return warnings


def moodle(path: Path, course: Course, labs: list[Lab], scores: dict[tuple[str, str], float],
           people: dict[str, dict], *, roster: bool) -> list[str]:
    """Write a Moodle grade import CSV; return the warnings."""
    students, warnings = _students(scores, people, roster)
    rows = [MOODLE_IDENTITY + [lab.moodle_item or lab.title for lab in labs]]
    for s in students:
        who = people.get(s, {})
        identity = [who.get("Email address", ""), who.get("Username") or s, who.get("ID number", "")]
        rows.append(identity + [_num(scores[s, lab.id]) if (s, lab.id) in scores else "" for lab in labs])
    write_rows(path, rows)
    return warnings


WRITERS = {"canvas": canvas, "moodle": moodle}


def write(format: str, path: Path, course: Course, labs: list[Lab], scores: dict[tuple[str, str], float],
          roster: Path | str | None = None) -> list[str]:
    """Write `scores` ((student, lab) -> final score) for the LMS `format`; return the warnings
    (every student missing from the roster or the grades)."""
    people = read_roster(roster) if roster else {}
    return WRITERS[format](Path(path), course, labs, scores, people, roster=bool(roster))
