"""nbgrader gradebooks: a template per lab (the lab's cells, from generate_assignment), and the
class gradebook written from the unit results in one go, to a temporary file moved into place,
so it is never left half-written and never has two writers."""
from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path

from autograder.course import Course
from autograder.nbgrader_config import generate_assignment


def generate_into(course: Course, labs: list[str], db_path: Path) -> None:
    """Record the labs' notebooks and graded cells in the gradebook at db_path (generate_assignment)."""
    for lab in labs:
        with tempfile.TemporaryDirectory(prefix="ag-gen-") as tmp:
            generate_assignment(course, lab, db_url=f"sqlite:///{db_path}", release_dir=Path(tmp) / "release")


def template(course: Course, lab: str, folder: Path) -> Path:
    path = folder / f"template-{lab}.db"
    if not path.exists():
        tmp = folder / f".template-{lab}-{os.getpid()}.db"
        generate_into(course, [lab], tmp)
        os.replace(tmp, path)
    return path


def write_class_gradebook(course: Course, results: list[dict], db_path: Path) -> None:
    from nbgrader.api import Gradebook

    db_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = db_path.with_name(f".{db_path.name}.{os.getpid()}.tmp")
    if tmp.exists():
        tmp.unlink()
    labs = sorted({r["lab"] for r in results}, key=course.lab_ids.index)
    generate_into(course, labs, tmp)
    with Gradebook(f"sqlite:///{tmp}", course.id) as gb:
        for result in results:
            gb.update_or_create_student(result["student"])
            kwargs = {}
            if result.get("timestamp"):
                try:
                    kwargs["timestamp"] = datetime.fromisoformat(result["timestamp"].replace(" ", "T"))
                except ValueError:
                    pass
            gb.update_or_create_submission(result["lab"], result["student"], **kwargs)
            for cell in result["cells"]:
                grade = gb.find_grade(cell["grade_id"], result["lab"], result["lab"], result["student"])
                grade.auto_score = cell["score"]
                grade.needs_manual_grade = False
            gb.db.commit()
    os.replace(tmp, db_path)

