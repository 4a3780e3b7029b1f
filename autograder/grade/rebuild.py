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
    src_cells = {_meta(c).get("grade_id"): (i, c) for i, c in enumerate(source.cells) if _meta(c).get("grade_id")}
    emitted: set[str] = set()
    saw_metadata = False
    # course cells the student kept somewhere (perhaps moved): they stay where the student put them
    present = {_meta(c).get("grade_id") for c in cells}

    def emit_source_cells_before(index: int) -> None:
        # graded and read-only cells that belong before `index` and were not seen yet
        for j in range(index):
            cell = source.cells[j]
            gid = _meta(cell).get("grade_id")
            if gid and gid not in emitted and gid not in present and _kind(_meta(cell)) in ("test", "locked"):
                emit_source(gid, missing=True)

    def emit_source(gid: str, *, missing: bool = False, student_cell=None) -> None:
        _, cell = src_cells[gid]
        kind = _kind(_meta(cell))
        if missing:
            out.notes.append(f"{kind} cell {gid}: deleted, restored from the course")
            out.flags.add(Flag.CELLS_RESTORED)
        elif student_cell is not None and kind in ("test", "locked"):
            if student_cell.get("cell_type") != cell.cell_type:
                out.notes.append(f"{kind} cell {gid}: changed to {student_cell.get('cell_type')}, restored")
                out.flags.add(Flag.CELLS_RESTORED)
            elif kind == "test" and student_cell.get("source", "") not in (cell.source, _visible_part(cell.source)):
                out.notes.append(f"{kind} cell {gid}: edited, restored from the course")
                out.flags.add(Flag.CELLS_RESTORED)
            elif kind == "locked" and student_cell.get("source", "") != cell.source:
                out.notes.append(f"{kind} cell {gid}: edited, restored from the course")
                out.flags.add(Flag.CELLS_RESTORED)
        new = nbformat.from_dict(dict(cell))
        new.pop("outputs", None)
        if new.cell_type == "code":
            new.outputs, new.execution_count = [], None
        out.notebook.cells.append(new)
        emitted.add(gid)

    for cell in cells:
        meta = _meta(cell)
        gid = meta.get("grade_id")
        if gid:
            saw_metadata = True
        if gid in src_cells and gid not in emitted:
            index, src_cell = src_cells[gid]
            emit_source_cells_before(index)
            if _kind(_meta(src_cell)) == "solution":
                new = nbformat.from_dict(dict(src_cell))
                new.source = cell.get("source", "") if isinstance(cell.get("source", ""), str) else ""
                if new.cell_type == "code":
                    new.outputs, new.execution_count = [], None
                if cell.get("cell_type") != src_cell.cell_type:
                    out.notes.append(f"solution cell {gid}: was {cell.get('cell_type')}, graded as {src_cell.cell_type}")
                out.notebook.cells.append(new)
                emitted.add(gid)
            else:
                emit_source(gid, student_cell=cell)
            continue
        if gid in emitted:
            kind = _kind(_meta(src_cells[gid][1])) if gid in src_cells else "cell"
            out.notes.append(f"{kind} cell {gid}: appears twice; the copy was ignored" if kind != "solution"
                             else f"solution cell {gid}: appears twice; the second is run as ordinary code")
            out.flags.add(Flag.DUPLICATE_CELLS)
            if kind != "solution":
                continue
        # a cell the student added (or one whose metadata names no course cell): ordinary content
        new = (nbformat.v4.new_code_cell(cell.get("source", "")) if cell.get("cell_type") == "code"
               else nbformat.v4.new_markdown_cell(cell.get("source", "")))
        if not isinstance(new.source, str):
            new.source = ""
        out.notebook.cells.append(new)
    if not saw_metadata:
        out.flags.add(Flag.METADATA_MISSING)
        out.notes.append("the notebook has no nbgrader metadata (made in another tool?): its code cells "
                         "run as they are, after the course's read-only cells")
        # no anchors: the course's read-only cells go first, the student's cells after them
        student = out.notebook.cells
        out.notebook.cells = []
        for gid, (_, cell) in sorted(src_cells.items(), key=lambda kv: kv[1][0]):
            if _kind(_meta(cell)) == "locked":
                emit_source(gid)
        out.notebook.cells += student
    emit_source_cells_before(len(source.cells))
    for gid, (_, cell) in sorted(src_cells.items(), key=lambda kv: kv[1][0]):
        meta = _meta(cell)
        if gid not in emitted and meta.get("solution") and meta.get("grade"):
            # a graded answer (a written reflection) that cannot be found: still a row for the TA,
            # blank (never the source's text: it holds the marking guide)
            new = nbformat.from_dict(dict(cell))
            new.source = ""
            if new.cell_type == "code":
                new.outputs, new.execution_count = [], None
            out.notebook.cells.append(new)
            emitted.add(gid)
            out.notes.append(f"answer cell {gid}: not found in the notebook, graded as blank (a TA can read "
                             "the student's own cells)")
    for i, cell in enumerate(out.notebook.cells):
        cell.id = f"c{i}"
    return out


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
