"""The instructor notebooks run top to bottom on a fresh kernel and draw their figures; the
notebooks in git carry no outputs (release/ is generated, source/ is edited by hand)."""
from __future__ import annotations

import re
import time
from pathlib import Path

import nbformat
import pytest

from autograder import course as course_mod

ROOT = Path(__file__).resolve().parent.parent
LAB_IDS = course_mod.load().lab_ids
SECONDS_PER_NOTEBOOK = 60
SHOWS_A_FIGURE = re.compile(r"\bplt\.show\(\s*\)")


def _cell_name(cell, index: int) -> str:
    return cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {index}"


@pytest.mark.parametrize("lab", LAB_IDS)
def test_does_the_source_notebook_run_cleanly_and_draw_its_figures(lab, monkeypatch):
    from nbclient import NotebookClient

    path = ROOT / "source" / lab / f"{lab}.ipynb"
    if not path.exists():
        pytest.skip(f"{lab} is not written yet: no {path.relative_to(ROOT)}")
    # The kernel inherits this environment: with the tests' Agg backend plt.show() draws nothing.
    monkeypatch.delenv("MPLBACKEND", raising=False)
    nb = nbformat.read(path, as_version=4)
    started = time.monotonic()
    NotebookClient(nb, timeout=SECONDS_PER_NOTEBOOK, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()  # raises on a cell error
    seconds = time.monotonic() - started
    errors = [_cell_name(c, i) for i, c in enumerate(nb.cells)
              if any(o.get("output_type") == "error" for o in c.get("outputs", []))]
    assert errors == [], f"{lab}: cells raised: {errors}"
    undrawn = [_cell_name(c, i) for i, c in enumerate(nb.cells)
               if c.cell_type == "code" and SHOWS_A_FIGURE.search(c.source)
               and not any("image/png" in o.get("data", {}) for o in c.get("outputs", []))]
    assert undrawn == [], f"{lab}: these cells call plt.show() but produced no image/png output: {undrawn}"
    assert seconds < SECONDS_PER_NOTEBOOK, f"{lab}: the notebook took {seconds:.0f} s (keep it under {SECONDS_PER_NOTEBOOK} s)"


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
