"""README.md is read first by instructors, students and TAs: it stays short (the deep notes live in
docs/, the measurements in bench/RESULTS.md), its links lead somewhere, and the gradient check it
names is the one the grader and the bench call."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def test_is_the_readme_at_most_18_kb():
    assert README.stat().st_size <= 18 * 1024, f"README.md is {README.stat().st_size} bytes"


def test_does_every_link_of_the_readme_and_docs_lead_to_a_file():
    for page in [README, *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#:]+)\)", page.read_text()):
            assert (page.parent / target).is_file(), f"{page.relative_to(ROOT)} links to {target}, which is not there"


def test_is_the_gradient_check_the_readme_names_the_one_the_grader_and_the_bench_call():
    named = set(re.findall(r"gradcheck\.(?!py\b)(\w+)", README.read_text()))  # not the file, gradcheck.py
    grader = "".join(p.read_text() for p in (ROOT / "autograder" / "checks").glob("*.py"))
    bench = (ROOT / "bench" / "grading_speed.py").read_text()
    assert named == {"directional_check"}
    for name in named:
        assert f"gradcheck.{name}(" in grader and f"gradcheck.{name}" in bench, name
