"""What the code's layout promises, read from the source (ast), not from running it:

- grade/ and checks/ reach the student's kernel only through kernel/boundary.py;
- no function on the grading path (grade/, kernel/, checks/) is longer than 60 lines.
"""
from __future__ import annotations

import ast
from pathlib import Path

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
