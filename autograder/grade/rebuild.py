"""Rebuild a submitted notebook on the instructor's source: what the student wrote, around the
course's own graded and read-only cells.

Kept from the student: the code of solution cells (first cell per grade_id) and any cells they
added. Taken from source/, whatever the submission says: every graded test cell (deleted, edited,
moved, turned into markdown or duplicated: restored once, at its place), every read-only cell,
and all nbgrader metadata. Tampering is repaired and reported ("test cell backward: edited,
restored"), never crashed on."""
from __future__ import annotations

from dataclasses import dataclass, field

import nbformat
from nbformat import NotebookNode

from autograder.grade.result import Flag


@dataclass
class Rebuilt:
    notebook: NotebookNode
    notes: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)


def _meta(cell) -> dict:
    """A cell's nbgrader metadata, {} when it has none or it is not a JSON object."""
    meta = cell.get("metadata", {}) if isinstance(cell, dict) else {}
    meta = meta.get("nbgrader", {}) if isinstance(meta, dict) else {}
    return meta if isinstance(meta, dict) else {}


def _repair(submitted: NotebookNode, out: "Rebuilt") -> list:
    """The submitted cells with metadata of any other JSON type than nbgrader's (a list for the
    metadata, a number or a list for a grade_id...) made harmless: what cannot be read is dropped,
    the cell kept as the student's own content, and each repair noted (flag metadata-repaired)."""
    cells = []
    for i, cell in enumerate(submitted.get("cells", [])):
        if not isinstance(cell, dict):
            continue
        problem = ""
        metadata = cell.get("metadata", {})
        if not isinstance(metadata, dict):
            problem = f"its metadata is a {type(metadata).__name__}, not an object"
            cell = {**cell, "metadata": {}}
        elif not isinstance(metadata.get("nbgrader", {}), dict):
            problem = f"its nbgrader metadata is a {type(metadata['nbgrader']).__name__}, not an object"
            cell = {**cell, "metadata": {k: v for k, v in metadata.items() if k != "nbgrader"}}
        else:
            gid = metadata.get("nbgrader", {}).get("grade_id")
            if gid is not None and not (isinstance(gid, str) and gid.isprintable() and len(gid) <= 200):
                problem = f"its grade_id is a {type(gid).__name__}, not a name"
                nbgrader = {k: v for k, v in metadata["nbgrader"].items() if k != "grade_id"}
                cell = {**cell, "metadata": {**metadata, "nbgrader": nbgrader}}
        if problem:
            out.notes.append(f"cell {i + 1}: {problem}: ignored, the cell kept as the student's own")
            out.flags.add(Flag.METADATA_REPAIRED)
        cells.append(cell)
    return cells


def _kind(meta: dict) -> str:
    if meta.get("solution"):
        return "solution"
    if meta.get("grade"):
        return "test"
    if meta.get("locked"):
        return "locked"
    return "plain"


def rebuild(submitted: NotebookNode, source: NotebookNode) -> Rebuilt:
    """The notebook to grade, and what had to be repaired."""
    out = Rebuilt(nbformat.v4.new_notebook(metadata=source.metadata))
    cells = _repair(submitted, out)
    builder = _Builder(source, out, cells)
    for cell in cells:
        builder.take(cell)
    if not builder.saw_metadata:
        builder.course_cells_first()
    builder.emit_source_cells_before(len(source.cells))
    builder.blank_missing_answers()
    for i, cell in enumerate(out.notebook.cells):
        cell.id = f"c{i}"
    return out


def _fresh(cell) -> NotebookNode:
    """A copy of a course cell to emit: no outputs, never run."""
    new = nbformat.from_dict(dict(cell))
    new.pop("outputs", None)
    if new.cell_type == "code":
        new.outputs, new.execution_count = [], None
    return new


class _Builder:
    """The rebuilt notebook as it grows, cell by cell: which course cells it holds, and each repair."""

    def __init__(self, source: NotebookNode, out: Rebuilt, cells: list):
        self.source, self.out = source, out
        self.src_cells = {_meta(c).get("grade_id"): (i, c) for i, c in enumerate(source.cells)
                          if _meta(c).get("grade_id")}
        self.emitted: set[str] = set()
        self.saw_metadata = False
        # course cells the student kept somewhere (perhaps moved): they stay where the student put them
        self.present = {_meta(c).get("grade_id") for c in cells}

    def take(self, cell) -> None:
        """One cell of the submission, in its order: a course cell, or one the student added."""
        gid = _meta(cell).get("grade_id")
        if gid:
            self.saw_metadata = True
        if gid in self.src_cells and gid not in self.emitted:
            index, src_cell = self.src_cells[gid]
            self.emit_source_cells_before(index)
            if _kind(_meta(src_cell)) == "solution":
                self.emit_answer(gid, cell)
            else:
                self.emit_source(gid, student_cell=cell)
            return
        if gid in self.emitted:
            kind = _kind(_meta(self.src_cells[gid][1])) if gid in self.src_cells else "cell"
            self.out.notes.append(f"{kind} cell {gid}: appears twice; the copy was ignored" if kind != "solution"
                                  else f"solution cell {gid}: appears twice; the second is run as ordinary code")
            self.out.flags.add(Flag.DUPLICATE_CELLS)
            if kind != "solution":
                return
        # a cell the student added (or one whose metadata names no course cell): ordinary content
        new = (nbformat.v4.new_code_cell(cell.get("source", "")) if cell.get("cell_type") == "code"
               else nbformat.v4.new_markdown_cell(cell.get("source", "")))
        if not isinstance(new.source, str):
            new.source = ""
        self.out.notebook.cells.append(new)

    def emit_answer(self, gid: str, cell) -> None:
        """A solution cell: the course's cell (its metadata) holding the student's text."""
        _, src_cell = self.src_cells[gid]
        new = nbformat.from_dict(dict(src_cell))
        new.source = cell.get("source", "") if isinstance(cell.get("source", ""), str) else ""
        if new.cell_type == "code":
            new.outputs, new.execution_count = [], None
        if cell.get("cell_type") != src_cell.cell_type:
            self.out.notes.append(f"solution cell {gid}: was {cell.get('cell_type')}, graded as {src_cell.cell_type}")
        self.out.notebook.cells.append(new)
        self.emitted.add(gid)

    def emit_source_cells_before(self, index: int) -> None:
        """The graded and read-only cells that belong before `index` and were not seen yet."""
        for j in range(index):
            cell = self.source.cells[j]
            gid = _meta(cell).get("grade_id")
            if gid and gid not in self.emitted and gid not in self.present and _kind(_meta(cell)) in ("test", "locked"):
                self.emit_source(gid, missing=True)

    def emit_source(self, gid: str, *, missing: bool = False, student_cell=None) -> None:
        """A course cell as source/ has it, noting what the student had done to it."""
        _, cell = self.src_cells[gid]
        kind = _kind(_meta(cell))
        note = (f"{kind} cell {gid}: deleted, restored from the course" if missing
                else _tampered(kind, gid, cell, student_cell) if student_cell is not None else None)
        if note:
            self.out.notes.append(note)
            self.out.flags.add(Flag.CELLS_RESTORED)
        self.out.notebook.cells.append(_fresh(cell))
        self.emitted.add(gid)

    def course_cells_first(self) -> None:
        """No nbgrader metadata, no anchors: the course's read-only cells go first, the student's after them."""
        self.out.flags.add(Flag.METADATA_MISSING)
        self.out.notes.append("the notebook has no nbgrader metadata (made in another tool?): its code cells "
                              "run as they are, after the course's read-only cells")
        student = self.out.notebook.cells
        self.out.notebook.cells = []
        for gid, (_, cell) in sorted(self.src_cells.items(), key=lambda kv: kv[1][0]):
            if _kind(_meta(cell)) == "locked":
                self.emit_source(gid)
        self.out.notebook.cells += student

    def blank_missing_answers(self) -> None:
        """A graded answer (a written reflection) that cannot be found: still a row for the TA, blank
        (never the source's text: it holds the marking guide)."""
        for gid, (_, cell) in sorted(self.src_cells.items(), key=lambda kv: kv[1][0]):
            meta = _meta(cell)
            if gid not in self.emitted and meta.get("solution") and meta.get("grade"):
                new = nbformat.from_dict(dict(cell))
                new.source = ""
                if new.cell_type == "code":
                    new.outputs, new.execution_count = [], None
                self.out.notebook.cells.append(new)
                self.emitted.add(gid)
                self.out.notes.append(f"answer cell {gid}: not found in the notebook, graded as blank (a TA can "
                                      "read the student's own cells)")


def _tampered(kind: str, gid: str, cell, student_cell) -> str | None:
    """What the student did to a test or read-only course cell (restored), or None."""
    if kind not in ("test", "locked"):
        return None
    if student_cell.get("cell_type") != cell.cell_type:
        return f"{kind} cell {gid}: changed to {student_cell.get('cell_type')}, restored"
    if kind == "test" and student_cell.get("source", "") not in (cell.source, _visible_part(cell.source)):
        return f"{kind} cell {gid}: edited, restored from the course"
    if kind == "locked" and student_cell.get("source", "") != cell.source:
        return f"{kind} cell {gid}: edited, restored from the course"
    return None


def _visible_part(source: str) -> str:
    """A source test cell as the release shows it (the hidden block removed)."""
    lines, hidden = [], False
    for line in source.split("\n"):
        if line.strip() == "### BEGIN HIDDEN TESTS":
            hidden = True
        elif line.strip() == "### END HIDDEN TESTS":
            hidden = False
        elif not hidden:
            lines.append(line)
    return "\n".join(lines).rstrip("\n")


def graded_cells(notebook: NotebookNode) -> list[tuple[str, float]]:
    """(grade_id, points) of the graded test cells, in notebook order."""
    return [(_meta(c)["grade_id"], float(_meta(c).get("points", 0))) for c in notebook.cells
            if _kind(_meta(c)) == "test"]


def student_code_cells(notebook: NotebookNode) -> list[tuple[int, NotebookNode]]:
    """The code cells that run in the kernel: everything but the graded test cells."""
    return [(i, c) for i, c in enumerate(notebook.cells)
            if c.cell_type == "code" and _kind(_meta(c)) != "test"]
