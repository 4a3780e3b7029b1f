"""The suite grades each lab's class once per test process that asks for it, and relies on
`--dist loadgroup` (make test) to send every test of one class to the same process. pytest 9.2
with pytest-xdist 3.8 silently stopped grouping (pytest-dev/pytest-xdist#1386): every class was
graded twice and the suite ran 38 minutes instead of about 25. This catches that again."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

GROUPED = '''
import os
import pytest

pytestmark = pytest.mark.xdist_group("one_class")


@pytest.mark.parametrize("i", range(6))
def test_in_the_group(i):
    assert os.environ["PYTEST_XDIST_WORKER"]
'''


def test_does_loadgroup_send_a_whole_group_to_one_worker(tmp_path: Path):
    (tmp_path / "test_grouped.py").write_text(GROUPED)
    run = subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v",
                          "-p", "no:cacheprovider", "--rootdir", str(tmp_path), str(tmp_path)],
                         capture_output=True, text=True, timeout=120, cwd=tmp_path)
    workers = {line.split()[0] for line in run.stdout.splitlines() if "PASSED" in line and line.startswith("[gw")}
    assert run.returncode == 0, run.stdout[-2000:]
    assert len(workers) == 1, f"one group ran on {sorted(workers)}: pin a pytest that xdist's loadgroup works with"
