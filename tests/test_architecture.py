"""What the code's layout promises, read from the source (ast), not from running it:

- grade/ and checks/ reach the student's kernel only through kernel/boundary.py;
- no function on the grading path (grade/, kernel/, checks/) is longer than 60 lines;
- from `autograder grade` to the function that writes a score into grades.csv is at most 6 hops
  (docs/grading.md lists them)."""
from __future__ import annotations

import ast
import inspect
import re
import tomllib
from pathlib import Path

from autograder import cli
from autograder.grade import tables

PACKAGE = Path(__file__).resolve().parent.parent / "autograder"
KERNEL_INSIDES = {f"autograder.kernel.{name}" for name in ("inside", "sandbox", "memory", "seccomp")}
LONGEST = 60


def _modules(*folders: str) -> list[Path]:
    return [p for folder in folders for p in sorted((PACKAGE / folder).glob("*.py"))]


def _imported(path: Path) -> set[str]:
    """Every module `path` imports, by its full name (`from autograder.kernel import sandbox` and
    `from ..kernel import sandbox` both name autograder.kernel.sandbox)."""
    package = ["autograder", path.parent.name]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            names.add(module)
            names |= {f"{module}.{alias.name}" for alias in node.names}
    return names


def test_do_grade_and_checks_reach_the_kernel_only_through_its_boundary():
    direct = {f"{path.relative_to(PACKAGE.parent)}: {name}" for path in _modules("grade", "checks")
              for name in _imported(path) if name in KERNEL_INSIDES or name.startswith(tuple(
                  f"{inside}." for inside in KERNEL_INSIDES))}
    assert not direct, (f"import what they need from autograder.kernel.boundary (its last block, `what grade/ and "
                        f"checks/ use of the sandbox`) instead: {sorted(direct)}")


def test_does_the_import_check_see_every_spelling_of_a_direct_import(tmp_path):
    folder = tmp_path / "grade"
    folder.mkdir()
    spellings = ["import autograder.kernel.sandbox", "from autograder.kernel import inside",
                 "from autograder.kernel.memory import parent", "from ..kernel import seccomp"]
    for i, line in enumerate(spellings):
        (folder / f"m{i}.py").write_text(line + "\n")
        assert _imported(folder / f"m{i}.py") & KERNEL_INSIDES, line
    (folder / "ok.py").write_text("from autograder.kernel.boundary import probe_sandbox\n")
    assert not _imported(folder / "ok.py") & KERNEL_INSIDES


def _functions(path: Path):
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, node.lineno, node.end_lineno - node.lineno + 1


def test_is_every_function_on_the_grading_path_at_most_60_lines():
    long = sorted((lines, f"{path.relative_to(PACKAGE.parent)}:{at} {name}") for path in
                  _modules("grade", "kernel", "checks") for name, at, lines in _functions(path) if lines > LONGEST)
    assert not long, f"split into named steps (at most {LONGEST} lines each): {long}"


HOPS = 6  # issue 29's target: from `autograder grade` to a score in grades.csv
HOP = re.compile(r"^\d+\. `([\w.]+)` → `([\w.]+)`", re.M)


def _calls(qualified: str) -> set[str]:
    """The names `module.function` calls (`f(...)`, `x.f(...)`)."""
    module, name = qualified.rsplit(".", 1)
    path = PACKAGE.joinpath(*module.split(".")).with_suffix(".py")
    tree = ast.parse(path.read_text(), str(path))
    function = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == name)
    return {node.func.id if isinstance(node.func, ast.Name) else node.func.attr
            for node in ast.walk(function) if isinstance(node, ast.Call)
            and isinstance(node.func, (ast.Name, ast.Attribute))}


def test_is_a_score_at_most_6_hops_from_autograder_grade_as_docs_grading_md_says():
    text = (PACKAGE.parent / "docs" / "grading.md").read_text()
    section = text.split("## From `autograder grade` to a score in grades.csv", 1)[1].split("\n## ", 1)[0]
    hops = HOP.findall(section)
    entry = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())["project"]["scripts"]["autograder"]
    assert hops and hops[0][0] == entry.replace("autograder.", "").replace(":", ".")  # where `autograder` starts
    # the first hop is argparse's: cli.main runs the verb's function, `args.run(args)`
    assert hops[0][1] == "cli._grade" and cli.build_parser().parse_args(["grade", "S", "--out", "O"]).run is cli._grade
    for caller, callee in hops[1:]:
        assert callee.rsplit(".", 1)[1] in _calls(caller), f"docs/grading.md: {caller} does not call {callee}"
    for (_, callee), (next_caller, _) in zip(hops, hops[1:]):
        assert callee == next_caller, f"docs/grading.md: the hop after {callee} starts at {next_caller}"
    writer = hops[-1][1]
    assert writer == "grade.tables.write_csv" and "grades.csv" in inspect.getsource(tables.write_tables)
    assert len(hops) <= HOPS, f"{len(hops)} hops from `autograder grade` to grades.csv: at most {HOPS}"
