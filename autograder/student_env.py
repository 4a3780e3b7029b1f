"""`python student_env.py`: make the students' environment for the labs, without nbgrader's instructor tools.

Creates labs-env (a virtual environment of the Python that runs this file), installs the pinned
requirements.txt next to this file into it, and turns off nbgrader's create-assignment and
formgrader in it, so that JupyterLab shows students only the Validate button and the Assignments
tab. `--here` does only the last step, in the environment of the Python that runs it: a conda
environment, or a JupyterHub's student image (`python student_env.py --here` in its Dockerfile).

The switches are nbgrader's own (its installation docs: each lab extension and each server
extension can be disabled on its own), written as the files Jupyter reads from the environment's
etc/jupyter: labconfig/page_config.json's disabledExtensions for the lab extensions, and
jupyter_server_config.json's ServerApp.jpserver_extensions for the formgrader's server side
(written directly: nbgrader 0.9's formgrader fails `jupyter server extension disable`'s
validation). That file outranks the jupyter_server_config.d/nbgrader.json pip installs beside it.

This file needs nothing but Python's standard library (it runs before anything is installed):
`autograder release --bundle` copies it as is into the students' bundle. Keep it that way."""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import venv
from pathlib import Path

# nbgrader's instructor tools, which students must not see. (Create-assignment has no server side.)
INSTRUCTOR_LAB_EXTENSIONS = ["@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:formgrader"]
INSTRUCTOR_SERVER_EXTENSIONS = ["nbgrader.server_extensions.formgrader"]
ENV_NAME = "labs-env"


def config_dir(prefix: Path | str) -> Path:
    """The Jupyter config folder of the environment at prefix (jupyter_core's ENV_CONFIG_PATH)."""
    return Path(prefix) / "etc" / "jupyter"


def _update(data: dict, update: dict) -> dict:
    for key, value in update.items():
        data[key] = _update(data.get(key) or {}, value) if isinstance(value, dict) else value
    return data


def _merge(path: Path, update: dict) -> None:
    """Merge update into the JSON file at path, keeping what else the environment configures there."""
    data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() and path.stat().st_size else {}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_update(data, update), indent=2) + "\n", encoding="utf-8")


def lock_down(prefix: Path | str) -> list[Path]:
    """Turn off nbgrader's instructor tools in the environment at prefix; returns the files written."""
    folder = config_dir(prefix)
    page_config = folder / "labconfig" / "page_config.json"
    _merge(page_config, {"disabledExtensions": {name: True for name in INSTRUCTOR_LAB_EXTENSIONS}})
    server_config = folder / "jupyter_server_config.json"
    _merge(server_config, {"ServerApp": {"jpserver_extensions": {name: False for name in INSTRUCTOR_SERVER_EXTENSIONS}}})
    return [page_config, server_config]


def env_python(env: Path) -> Path:
    return env / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def make_env(env: Path, requirements: Path) -> None:
    """A virtual environment at env with the pinned requirements installed."""
    if not env_python(env).exists():
        venv.create(env, with_pip=True)
    subprocess.run([str(env_python(env)), "-m", "pip", "install", "-r", str(requirements)], check=True)


def main(argv: list[str] | None = None) -> int:
    here = Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(prog="student_env.py", description=__doc__.split("\n\n")[1])
    parser.add_argument("--env", default=str(here / ENV_NAME), help=f"the environment to make (default: {ENV_NAME} here)")
    parser.add_argument("--here", action="store_true",
                        help="only turn off the instructor tools, in the environment of the Python running this")
    args = parser.parse_args(argv)
    if args.here:
        prefix = Path(sys.prefix)
    else:
        if sys.version_info[:2] != (3, 11):
            print(f"student_env.py: the labs are tested with Python 3.11, this is {sys.version.split()[0]}: "
                  "run it with python3.11 (Windows: py -3.11)", file=sys.stderr)
            return 2
        prefix = Path(args.env)
        try:
            make_env(prefix, here / "requirements.txt")
        except subprocess.CalledProcessError:
            print(f"student_env.py: pip could not install requirements.txt into {prefix} (its message is above): "
                  "check the network connection and run this again", file=sys.stderr)
            return 1
    for path in lock_down(prefix):
        print(f"wrote {path}")
    print("nbgrader's create-assignment and formgrader are off in", prefix)
    return 0


if __name__ == "__main__":
    sys.exit(main())
