"""Named example submissions: each case file says what it is and what it must score.

A case is `tests/submissions/<lab>/<name>.py` (or `.ipynb`, a literal notebook). Header lines:

    # expect-status: ok                    grades.csv status (default ok)
    # expect-failing: backward, train_xor  grade_ids that score 0; every other graded cell full
    # expect-score: backward=4.5, train=2.5  grade_ids that score exactly these points (partial
                                           credit); reflection cells always score 0 until a TA
                                           grades them
    # expect-flags: suspicious-code        flags that grades.csv must list (optional)
    # base: solution                       start from the release notebook with the instructor's
                                           solutions (`solution`) or the stubs (`release`), or hand
                                           in the instructor's source notebook itself (`source`)
    # mutate: delete-test-cells            notebook-level changes, in order (see MUTATIONS)
    # %% <solution grade_id>               the code that replaces that solution cell, up to the
                                           next `# %%`; other solution cells keep the base
    # %% add-cell                          a cell of the student's own, added at the end
    # sandbox-only                         never run it in-process (it loops, exits, ...)

Cases in `tests/submissions/_every_lab/` apply to every lab (`expect-failing: all` = every
graded cell of that lab).

`build(case)` returns the files of the submission folder: the notebook (its bytes may be
deliberately broken, its name changed, or it may be absent) and any extra files.
"""
from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
SUBMISSIONS = Path(__file__).resolve().parent / "submissions"


@dataclass
class Case:
    lab: str
    name: str
    path: Path
    expect_status: str = "ok"
    expect_failing: list[str] = field(default_factory=list)
    expect_flags: list[str] = field(default_factory=list)
    expect_scores: dict[str, float] = field(default_factory=dict)
    base: str = "solution"
    mutate: list[str] = field(default_factory=list)
    cells: dict[str, str] = field(default_factory=dict)
    sandbox_only: bool = False

    @property
    def id(self) -> str:
        return f"{self.lab}/{self.name}"

    def expected_points(self, points: dict[str, float]) -> dict[str, float]:
        """grade_id -> the points this case must score, given each graded cell's points."""
        unknown = (set(self.expect_failing) | set(self.expect_scores)) - set(points)
        if unknown:
            raise ValueError(f"{self.id}: the header names no graded cell: {sorted(unknown)}")
        return {gid: 0.0 if gid in self.expect_failing or gid.startswith("reflection") else
                self.expect_scores.get(gid, pts) for gid, pts in points.items()}


    def expected_flags(self, points: dict[str, float]) -> list[str]:
        """The flags grades.csv must list: the header's, and `needs-manual-grade` wherever the lab has
        written answers (reflection cells) waiting for a TA in a notebook that could be read."""
        flags = set(self.expect_flags)
        if any(gid.startswith("reflection") for gid in points) and self.expect_status not in ("missing", "unreadable"):
            flags.add("needs-manual-grade")
        return sorted(flags)


def _split_list(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


def load_case(path: Path, lab: str | None = None) -> Case:
    lab = lab or path.parent.name
    case = Case(lab=lab, name=path.stem, path=path)
    if path.suffix == ".ipynb":
        meta = path.with_suffix(".expect")
        text = meta.read_text() if meta.exists() else ""
    else:
        text = path.read_text()
    current = None
    chunks: dict[str, list[str]] = {}
    for line in text.splitlines():
        m = re.match(r"#\s*%%\s*(\S+)\s*$", line)
        if m:
            current = m.group(1)
            chunks[current] = []
            continue
        if current is not None:
            chunks[current].append(line)
            continue
        if re.match(r"#\s*sandbox-only\b", line):
            case.sandbox_only = True
            continue
        m = re.match(r"#\s*(expect-status|expect-failing|expect-flags|expect-score|base|mutate):\s*(.*)$", line)
        if m:
            key, value = m.group(1), m.group(2).strip()
            if key == "expect-status":
                case.expect_status = value
            elif key == "expect-failing":
                case.expect_failing = _split_list(value)
            elif key == "expect-flags":
                case.expect_flags = _split_list(value)
            elif key == "expect-score":
                for item in _split_list(value):
                    gid, _, points = item.partition("=")
                    try:
                        case.expect_scores[gid.strip()] = float(points)
                    except ValueError:
                        raise ValueError(f"{path}: expect-score {item!r} is not grade_id=points, "
                                         "e.g. backward=4.5") from None
            elif key == "base":
                case.base = value
            else:
                case.mutate += _split_list(value)
    case.cells = {k: "\n".join(v).strip("\n") + "\n" for k, v in chunks.items()}
    return case


# `_every_lab` cases whose outcome depends on the lab's own cells (rebuilt on its source notebook):
# graded in every lab. Every other `_every_lab` case attacks the grader, not a lab, and costs
# seconds to minutes of kernel time (loops, bombs, floods): with `spread` it is graded in one lab,
# the cases dealt out in turn over the labs, so that each lab still meets a share of them.
EVERY_LAB_EVERYWHERE = {"instructor_notebook", "missing", "no_cell_ids", "no_nbgrader_metadata", "renamed",
                        "test_cells_deleted", "test_cells_duplicated", "test_cells_emptied_blank",
                        "test_cells_moved", "test_cells_to_markdown"}


def cases(lab: str | None = None, *, every_lab: bool = False, spread: bool = True) -> list[Case]:
    """The named submissions of one lab (or of every lab): its own folder and, with every_lab,
    the cases of `_every_lab/` (hostile and broken notebooks: only ever run them in the sandbox,
    never with run_in_process) applied to it, named `every_lab_<case>`: all of them with
    spread=False, else those of EVERY_LAB_EVERYWHERE and this lab's turn of the others."""
    all_labs = sorted(p.name for p in SUBMISSIONS.iterdir() if p.is_dir() and not p.name.startswith("_"))
    labs = [lab] if lab else all_labs
    hostile = [p for p in sorted((SUBMISSIONS / "_every_lab").glob("*.py")) if p.stem not in EVERY_LAB_EVERYWHERE]
    out = []
    for name in labs:
        paths = sorted(SUBMISSIONS.glob(f"{name}/*.py")) + sorted(SUBMISSIONS.glob(f"{name}/*.ipynb"))
        out += [load_case(p) for p in paths if not p.name.startswith("_")]
        if every_lab and (ROOT / "release" / name).is_dir():
            for path in sorted((SUBMISSIONS / "_every_lab").glob("*.py")):
                if spread and path in hostile and name in all_labs and \
                        hostile.index(path) % len(all_labs) != all_labs.index(name):
                    continue
                case = load_case(path, lab=name)
                case.name = f"every_lab_{path.stem}"
                case.sandbox_only = True
                out.append(_expand_all(case))
    return out


def _expand_all(case: Case) -> Case:
    """`expect-failing: all` means every graded cell of the lab."""
    if case.expect_failing == ["all"]:
        nb = release_notebook(case.lab)
        case.expect_failing = [c.metadata["nbgrader"]["grade_id"] for c in _test_cells(nb)]
    return case


def solution_code(lab: str) -> dict[str, str]:
    """grade_id -> the instructor's code of each solution cell, markers removed."""
    nb = nbformat.read(ROOT / "source" / lab / f"{lab}.ipynb", as_version=4)
    out = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            lines = [ln for ln in cell.source.splitlines()
                     if ln.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")]
            out[meta["grade_id"]] = "\n".join(lines)
    return out


def release_notebook(lab: str):
    return nbformat.read(ROOT / "release" / lab / f"{lab}.ipynb", as_version=4)


def build_notebook(case: Case):
    """The case's notebook as a NotebookNode, before byte-level mutations."""
    if case.base == "source":  # the instructor's own notebook, solutions and hidden tests included
        return nbformat.read(ROOT / "source" / case.lab / f"{case.lab}.ipynb", as_version=4)
    nb = release_notebook(case.lab)
    solutions = solution_code(case.lab) if case.base == "solution" else {}
    added = case.cells.get("add-cell")
    unknown = set(case.cells) - {c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells} - {"add-cell"}
    if unknown:
        raise ValueError(f"{case.id}: no solution cells named {sorted(unknown)}")
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in case.cells:
            cell.source = case.cells[grade_id]
        elif grade_id in solutions:
            cell.source = solutions[grade_id]
    if added is not None:  # a cell of the student's own, at the end of the notebook
        nb.cells.append(nbformat.v4.new_code_cell(added))
    return nb


def build(case: Case) -> dict[str, bytes]:
    """The files of the submission folder <student>/<lab>/, by name (the notebook's bytes may be
    deliberately broken; an empty dict is a student who handed in nothing)."""
    name = f"{case.lab}.ipynb"
    if case.path.suffix == ".ipynb":
        return {name: case.path.read_bytes()}
    files: dict[str, bytes] = {}
    current = build_notebook(case)
    for mutation in case.mutate:
        fn = MUTATIONS.get(mutation)
        if fn is None:
            raise ValueError(f"{case.id}: unknown mutation {mutation!r}; known: {sorted(MUTATIONS)}")
        result = fn(current)
        if isinstance(result, tuple):  # (notebook or bytes, new name)
            result, name = result
        if isinstance(result, dict) and not isinstance(result, nbformat.NotebookNode):  # extra files; None drops the notebook
            for fname, data in result.items():
                if fname == "__notebook__" and data is None:
                    name = None
                else:
                    files[fname] = data
            continue
        current = result
    if name is not None:
        files[name] = current if isinstance(current, bytes) else nbformat.writes(current).encode()
    return files


def write_submission(case: Case, folder: Path) -> Path:
    """Write the case's submission folder (created even when empty) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for fname, data in build(case).items():
        (folder / fname).write_bytes(data)
    return folder


# notebook-level changes a real class produces: each takes a notebook (or bytes) and returns one --

def _test_cells(nb):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")
            and not c.metadata.get("nbgrader", {}).get("solution")]


def delete_test_cells(nb):
    nb.cells = [c for c in nb.cells if c not in _test_cells(nb)]
    return nb


def edit_test_cells(nb):
    for cell in _test_cells(nb):
        cell.source = "pass  # the student emptied this test"
    return nb


def test_cells_to_markdown(nb):
    for cell in _test_cells(nb):
        cell.cell_type = "markdown"
        cell.pop("outputs", None)
        cell.pop("execution_count", None)
    return nb


def move_test_cells_to_top(nb):
    tests = _test_cells(nb)
    nb.cells = tests + [c for c in nb.cells if c not in tests]
    return nb


def duplicate_test_cells(nb):
    out = []
    for cell in nb.cells:
        out.append(cell)
        if cell in _test_cells(nb):
            twin = copy.deepcopy(cell)
            twin.source = "pass  # a duplicate with the same grade_id"
            twin.id = (cell.get("id") or "x") + "-dup"
            out.append(twin)
    nb.cells = out
    return nb


def strip_nbgrader_metadata(nb):
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
    return nb


def strip_cell_ids(nb):
    data = json.loads(nbformat.writes(nb))
    data["nbformat_minor"] = 4
    for cell in data["cells"]:
        cell.pop("id", None)
    return json.dumps(data).encode()


def not_json(nb):
    return b"this is not a notebook {\n"


def missing(nb):
    return {"__notebook__": None}


def extra_files(nb):
    return {"notes.txt": b"my scratch notes\n", "helper.py": b"print('not graded')\n"}


def submitted_late(nb):
    return {"timestamp.txt": b"2027-06-01 10:00:00.000000 UTC\n"}


def truncate(nb):
    data = nbformat.writes(nb).encode()
    return data[: len(data) // 2]


def rename(nb):
    return nb, "my_lab_final_v2.ipynb"


MUTATIONS = {
    "delete-test-cells": delete_test_cells,
    "edit-test-cells": edit_test_cells,
    "test-cells-to-markdown": test_cells_to_markdown,
    "move-test-cells-to-top": move_test_cells_to_top,
    "duplicate-test-cells": duplicate_test_cells,
    "strip-nbgrader-metadata": strip_nbgrader_metadata,
    "strip-cell-ids": strip_cell_ids,
    "not-json": not_json,
    "truncate": truncate,
    "rename": rename,
    "missing": missing,
    "extra-files": extra_files,
    "late": submitted_late,
}


IN_PROCESS_TIMEOUT = 60  # seconds per round trip, as course.toml's check_timeout


def run_in_process(case: Case, *, secret: str = "demo-secret-not-for-real-classes", n_examples: int = 20) -> dict:
    """grade_id -> (fraction of the points, message), running the case's code in this process (no kernel, no
    sandbox): a fast way to see what the checks say while writing a lab. Mutations are ignored."""
    import os
    import tomllib

    os.environ.setdefault("MPLBACKEND", "Agg")
    from autograder.checks import in_process_caller, run_check

    if case.sandbox_only:
        raise ValueError(f"{case.id} is hostile: grade it in the sandbox, never in this process")
    tolerances = tomllib.loads((ROOT / "course.toml").read_text())["tolerances"]
    nb = build_notebook(case)
    namespace: dict = {"__name__": "__main__"}
    tests = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code":
            continue
        if meta.get("grade") and not meta.get("solution"):
            tests.append(meta["grade_id"])
            continue
        try:
            exec(compile(cell.source, f"<{case.id}>", "exec"), namespace)  # noqa: S102 - our own corpus
        except BaseException:  # noqa: BLE001 - a broken cell must not stop the others
            pass
    caller = in_process_caller(namespace, timeout=IN_PROCESS_TIMEOUT)
    return {gid: run_check(case.lab, gid, caller=caller, secret=secret,
                           n_examples=n_examples, tolerances=tolerances) for gid in tests}
