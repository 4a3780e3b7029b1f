import os

os.environ.setdefault("MPLBACKEND", "Agg")
# CI runs `make test` with CI=true, where `autograder grade` refuses course.toml's demo secret. The
# tests grade with it on purpose (their expected scores are for the demo secret's inputs); the ones
# about that refusal set CI themselves.
os.environ.pop("CI", None)


import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

# a student's shell: none of this test run's Python, virtualenv or Jupyter settings
STUDENT_ENV = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "JUPYTER"))}
STUDENTS_LABS = ["lab1_gradients", "lab2_delta_rule"]


@pytest.fixture(scope="session")
def students_bundle(tmp_path_factory):
    """Labs 1 and 2's bundle, unpacked, after `python3.11 student_env.py` in it: labs-env made and
    pip-installed from the bundle's requirements.txt, as a student does it. One pip install for every
    test of the students' environment (mark them xdist_group("students_lab") to share it)."""
    from autograder import release

    home = tmp_path_factory.mktemp("student")
    release.bundle(home / "labs", labs=STUDENTS_LABS)
    # the student's own home, but pip's download cache of this machine (a student's pip has one too)
    env = dict(STUDENT_ENV, HOME=str(home), PATH="/usr/bin:/bin",
               PIP_CACHE_DIR=os.environ.get("PIP_CACHE_DIR", str(Path.home() / ".cache" / "pip")))
    done = subprocess.run([sys.executable, "student_env.py"], cwd=home / "labs", env=env, capture_output=True,
                          text=True, timeout=1800)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert done.stdout.splitlines()[-1] == f"nbgrader's create-assignment and formgrader are off in {home / 'labs' / 'labs-env'}"
    return home / "labs"
