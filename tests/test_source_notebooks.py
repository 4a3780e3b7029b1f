"""The instructor notebooks run top to bottom on a fresh kernel and draw their figures; their
interactive figures leave a static one where there is no widget front end and redraw when a slider
moves; their visible asserts explain a failure; the notebooks in git carry no outputs (release/ is
generated, source/ is edited by hand)."""
from __future__ import annotations

import ast
import re
import time
from pathlib import Path

import nbformat
import pytest

from autograder import course as course_mod

ROOT = Path(__file__).resolve().parent.parent
LAB_IDS = course_mod.load().lab_ids
# the course's own limits: the solutions must run where the grader runs a student's notebook (how
# long each lab takes is measured by bench/grading_speed.py, not asserted here)
LIMITS = course_mod.load().limits
SHOWS_A_FIGURE = re.compile(r"\bplt\.show\(\s*\)")
CALLS_EXPLORE = re.compile(r"^\s*explore\(", re.M)
# Every test of one notebook on the same xdist worker, so that the notebook runs once.
LABS = [pytest.param(lab, marks=pytest.mark.xdist_group(f"notebook-{lab}")) for lab in LAB_IDS]


def _cell_name(cell, index: int) -> str:
    return cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {index}"


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# Run after a notebook's own cells, in its kernel: move every slider it displayed, as a student
# would in JupyterLab. A figure drawn by the labs' explore() helper is redrawn in place (an
# update_display_data message, which nbclient applies to the cell's output).
MOVE_EVERY_SLIDER = """
from ipywidgets.widgets.widget import _instances as _ag_widgets
for _ag_w in list(_ag_widgets.values()):
    if all(hasattr(_ag_w, a) for a in ("value", "min", "max")) and not hasattr(_ag_w, "children"):
        _ag_base = getattr(_ag_w, "base", None)  # a FloatLogSlider's min and max are exponents
        _ag_ends = [_ag_base ** _ag_w.max, _ag_base ** _ag_w.min] if _ag_base else [_ag_w.max, _ag_w.min]
        _ag_w.value = next(v for v in _ag_ends if v != _ag_w.value)
"""


def _images(cell) -> list[str]:
    return [o["data"]["image/png"] for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]


@pytest.fixture(scope="module")
def executed():
    """lab -> (the executed notebook, seconds for its own cells, each cell's images before the
    sliders moved). Each notebook runs once for all the tests below."""
    from nbclient import NotebookClient

    runs = {}

    def run(lab):
        if lab not in runs:
            path = ROOT / "source" / lab / f"{lab}.ipynb"
            if not path.exists():
                pytest.skip(f"{lab} is not written yet: no {path.relative_to(ROOT)}")
            nb = nbformat.read(path, as_version=4)
            own = len(nb.cells)
            nb.cells.append(nbformat.v4.new_code_cell(MOVE_EVERY_SLIDER))
            clock, before = {"start": time.monotonic()}, {}

            def at_cell_start(cell, cell_index):
                if cell_index == own:
                    clock["seconds"] = time.monotonic() - clock["start"]
                    before.update({i: _images(c) for i, c in enumerate(nb.cells[:own])})

            # a test cell of the source notebook runs its hidden checks too
            NotebookClient(nb, timeout=LIMITS.cell_timeout + LIMITS.check_timeout, kernel_name="python3",
                           on_cell_start=at_cell_start,
                           resources={"metadata": {"path": str(path.parent)}}).execute()  # raises on a cell error
            runs[lab] = nb, clock["seconds"], before
        return runs[lab]

    # The kernel inherits this environment: with the tests' Agg backend plt.show() draws nothing.
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("MPLBACKEND", raising=False)
        yield run


@pytest.mark.parametrize("lab", LABS)
def test_does_the_source_notebook_run_cleanly_and_draw_its_figures(lab, executed):
    nb, seconds, _ = executed(lab)
    errors = [_cell_name(c, i) for i, c in enumerate(nb.cells)
              if any(o.get("output_type") == "error" for o in c.get("outputs", []))]
    assert errors == [], f"{lab}: cells raised: {errors}"
    undrawn = [_cell_name(c, i) for i, c in enumerate(nb.cells)
               if c.cell_type == "code" and SHOWS_A_FIGURE.search(c.source) and not _images(c)]
    assert undrawn == [], f"{lab}: these cells call plt.show() but produced no image/png output: {undrawn}"
    assert seconds < LIMITS.notebook_timeout, (
        f"{lab}: the notebook took {seconds:.0f} s, past course.toml's notebook_timeout ({LIMITS.notebook_timeout:g} s)")


@pytest.mark.parametrize("lab", LABS)
def test_does_every_widget_leave_a_static_figure_without_a_widget_front_end(lab, executed):
    nb, _, before = executed(lab)
    widget_cells = [(i, c) for i, c in enumerate(nb.cells) if i in before
                    and any(WIDGET_VIEW in o.get("data", {}) for o in c.get("outputs", []))]
    if lab in ("lab1_gradients", "lab2_delta_rule", "lab3_backprop"):
        assert widget_cells, f"{lab}: no interactive figure (ipywidgets) at all"
    for i, cell in widget_cells:
        assert before[i], f"{lab}: {_cell_name(cell, i)} shows a widget but no figure without a widget front end"
        for out in cell.outputs:
            if WIDGET_VIEW in out.get("data", {}):
                assert out["data"].get("text/plain"), f"{lab}: {_cell_name(cell, i)}: a widget with no text fallback"


@pytest.mark.parametrize("lab", LABS)
def test_does_moving_a_slider_redraw_the_figure_of_every_explore_cell(lab, executed):
    nb, _, before = executed(lab)
    explore_cells = [(i, c) for i, c in enumerate(nb.cells) if i in before and CALLS_EXPLORE.search(c.source)]
    if not explore_cells:
        pytest.skip(f"{lab} draws no figure with explore()")
    for i, cell in explore_cells:
        after = _images(cell)
        assert len(after) == len(before[i]) == 1, f"{lab}: {_cell_name(cell, i)} should show exactly one figure"
        assert after != before[i], f"{lab}: {_cell_name(cell, i)}: moving its sliders did not redraw the figure"


# Labs whose every visible assert carries a message (what was expected, what came, a hint).
EXPLAINED_ASSERTS = ["lab1_gradients", "lab2_delta_rule", "lab3_backprop", "lab4_feedback_alignment",
                     "lab5_dendritic_quiz"]


@pytest.mark.parametrize("lab", EXPLAINED_ASSERTS)
def test_does_every_visible_assert_say_what_went_wrong(lab):
    nb = nbformat.read(ROOT / "source" / lab / f"{lab}.ipynb", as_version=4)
    naked = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade"):
            visible = cell.source.split("### BEGIN HIDDEN TESTS")[0]
            naked += [f"{_cell_name(cell, i)}: {ast.unparse(node)[:70]}" for node in ast.walk(ast.parse(visible))
                      if isinstance(node, ast.Assert) and node.msg is None]
    assert naked == [], f"{lab}: asserts that fail with a bare AssertionError: {naked}"


def _notebooks() -> list[Path]:
    return sorted(ROOT.glob("source/*/*.ipynb")) + sorted(ROOT.glob("release/*/*.ipynb"))


def _fix(path: Path) -> str:
    rel = path.relative_to(ROOT)
    if rel.parts[0] == "release":
        return "make release  (release/ is generated from source/, never edited by hand)"
    return f".venv/bin/jupyter nbconvert --clear-output --inplace {rel}"


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: str(p.relative_to(ROOT)))
def test_is_the_notebook_in_git_free_of_outputs(path):
    nb = nbformat.read(path, as_version=4)
    dirty = [_cell_name(c, i) for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None)]
    assert dirty == [], f"{path.relative_to(ROOT)} carries outputs in {dirty}; fix: {_fix(path)}"
