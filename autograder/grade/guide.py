"""The marking guide beside each written answer, in the autograded notebook formgrader shows.

A written answer's cell in source/ holds the instructor's marking guide between `### BEGIN
SOLUTION` and `### END SOLUTION`; the student's notebook holds their answer there instead. The
copy kept for formgrader (OUT/autograded/) gets, after each answer, a markdown cell with that
guide, so the TA grades with it in view. Only that copy: the students' feedback pages are ours
(grade/feedback.py), built from the scores, never from this notebook."""
from __future__ import annotations

import re

import nbformat

GUIDE_KEY = "autograder_marking_guide"  # cell metadata marking an added guide cell
_SOLUTION = re.compile(r"^[ \t]*#+[ \t]*BEGIN SOLUTION[ \t]*$(.*?)^[ \t]*#+[ \t]*END SOLUTION[ \t]*$", re.M | re.S)


def guides(source_nb) -> dict[str, str]:
    """grade_id -> marking guide of every written answer (manually graded solution cell) in source/."""
    found = {}
    for cell in source_nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and meta.get("solution") and cell.cell_type == "markdown":
            m = _SOLUTION.search(cell.source)
            text = (m.group(1) if m else cell.source).strip()
            if text:
                found[meta["grade_id"]] = text
    return found


def with_guides(notebook, source_nb):
    """The notebook with a guide cell after each written answer (none added twice)."""
    by_id = guides(source_nb)
    cells = []
    for cell in notebook.cells:
        if cell.metadata.get(GUIDE_KEY):
            continue
        cells.append(cell)
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in by_id and cell.metadata["nbgrader"].get("solution"):
            guide = nbformat.v4.new_markdown_cell(f"**For the TA: marking guide of {gid}** (from source/, never shown "
                                                  f"to students)\n\n{by_id[gid]}")
            guide.metadata[GUIDE_KEY] = True
            cells.append(guide)
    notebook.cells = cells
    return notebook
