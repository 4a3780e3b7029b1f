"""The CI workflow (.github/workflows/autograde.yml): linted against GitHub's workflow schema (the
copy vendored in the check-jsonschema package: nothing is downloaded), and run here job by job,
its shell steps as written, on a small class that arrives as an artifact of another run holding a
Canvas zip and a roster.

GitHub's own actions are stood in for: checkout and setup-python by the worktree and its .venv,
upload/download-artifact by a folder of artifacts (hidden files kept only with
include-hidden-files, as upload-artifact@v4 does; `!path` lines excluded), sudo by a shim that runs
the command as is; every step's output is kept as the job log GitHub would show.
The class: two students whose notebooks are not notebooks (status unreadable, no kernel to run)."""
from __future__ import annotations

import csv
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from autograder import course as course_mod

pytestmark = pytest.mark.xdist_group("workflow")

WORKFLOW = course_mod.ROOT / ".github" / "workflows" / "autograde.yml"
VENV = course_mod.ROOT / ".venv"
LAB = "lab1_gradients"


def load() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def test_is_the_workflow_valid_against_githubs_schema():
    proc = subprocess.run([str(Path(sys.executable).parent / "check-jsonschema"), "--builtin-schema",
                           "vendor.github-workflows", str(WORKFLOW)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip() == "ok -- validation done"


def test_does_the_schema_check_catch_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text().replace("runs-on: ubuntu-latest", "runs_on: ubuntu-latest", 1))
    proc = subprocess.run([str(Path(sys.executable).parent / "check-jsonschema"), "--builtin-schema",
                           "vendor.github-workflows", str(broken)], capture_output=True, text=True)
    assert proc.returncode == 1


def test_is_nothing_read_from_or_written_about_students_in_the_repository():
    text = WORKFLOW.read_text()
    assert "head -n" not in text and "cat grades" not in text  # the run summary gets no rows (see below)
    jobs = load()["jobs"]
    merge = [s.get("run", "") for s in jobs["merge"]["steps"]]
    assert any("autograder report grades" in run and "autograder export grades" in run for run in merge)
    uploads = [s for job in jobs.values() for s in job["steps"] if s.get("uses", "").startswith("actions/upload")]
    assert all(s["with"].get("include-hidden-files") is True for s in uploads)  # .units/ goes along


class Runner:
    """Runs the workflow's jobs one after the other, as GitHub would, for the given inputs."""

    def __init__(self, root: Path, inputs: dict, secrets: dict, private: bool = True):
        self.root, self.inputs, self.secrets = root, inputs, secrets
        self.repository = {"private": private, "visibility": "private" if private else "public"}
        self.log = ""  # every step's output, as the run's logs show it
        self.artifacts = root / "artifacts"
        self.artifacts.mkdir(parents=True, exist_ok=True)
        self.outputs: dict[str, dict] = {}
        self.summary = root / "summary.md"
        shim = root / "bin"
        shim.mkdir(exist_ok=True)
        (shim / "sudo").write_text('#!/bin/sh\nwhile [ "${1#-}" != "$1" ]; do shift; done\nexec "$@"\n')
        (shim / "sudo").chmod(0o755)
        self.path = f"{shim}:{os.environ['PATH']}"

    def value(self, expr: str, ctx: dict):
        expr = expr.strip()
        m = re.fullmatch(r"fromJSON\((.+)\)", expr)
        if m:
            import json
            return json.loads(self.value(m.group(1), ctx))
        node = ctx
        for part in expr.split("."):
            node = node.get(part, "") if isinstance(node, dict) else ""
        return node

    def render(self, text, ctx: dict) -> str:
        def show(value) -> str:
            return str(value).lower() if isinstance(value, bool) else str(value)  # GitHub writes true/false
        return re.sub(r"\$\{\{(.*?)\}\}", lambda m: show(self.value(m.group(1), ctx)), str(text))

    def condition(self, expr: str, ctx: dict) -> bool:
        py = re.sub(r"[A-Za-z_][\w.]*", lambda m: repr(self.value(m.group(0), ctx))
                    if "." in m.group(0) else m.group(0), expr)
        return bool(eval(py.replace("&&", " and ").replace("||", " or ")))  # noqa: S307 - the workflow's own

    def job(self, name: str, matrix: dict | None = None) -> subprocess.CompletedProcess | None:
        spec = load()["jobs"][name]
        work = self.root / f"{name}-{(matrix or {}).get('shard', '')}"
        work.mkdir()
        (work / ".venv").symlink_to(VENV)
        ctx = {"inputs": self.inputs, "secrets": self.secrets, "matrix": matrix or {},
               "github": {"token": "t", "event": {"repository": self.repository}},
               "needs": {n: {"outputs": o} for n, o in self.outputs.items()}, "steps": {}}
        for step in spec["steps"]:
            if "if" in step and not self.condition(step["if"], ctx):
                continue
            uses, run = step.get("uses", ""), step.get("run")
            # the runner's own set-up (checkout, Python, `make setup` with bubblewrap from apt): this
            # checkout is set up already
            if uses.startswith(("actions/checkout", "actions/setup-python")) or (run or "").startswith(
                    ("make setup", "sudo make bwrap")):
                assert not uses.startswith("actions/checkout") or "repository" not in step.get("with", {})
                continue
            args = {k: self.render(v, ctx) for k, v in step.get("with", {}).items()}
            if uses.startswith("actions/upload-artifact"):
                hidden = step["with"].get("include-hidden-files") is True
                lines = [line.strip() for line in args["path"].splitlines() if line.strip()]
                excluded = {(work / line[1:]).resolve() for line in lines if line.startswith("!")}

                def ignore(folder, names, hidden=hidden, excluded=excluded):
                    return [n for n in names if (not hidden and n.startswith(".")) or
                            (Path(folder) / n).resolve() in excluded]
                for line in (line for line in lines if not line.startswith("!")):
                    dest = self.artifacts / args["name"]
                    if (work / line).is_file():
                        dest.mkdir(parents=True, exist_ok=True)
                        shutil.copy(work / line, dest / Path(line).name)
                    else:
                        shutil.copytree(work / line, dest, ignore=ignore)
            elif uses.startswith("actions/download-artifact"):
                if "pattern" in args:
                    for a in sorted(self.artifacts.iterdir()):
                        if fnmatch.fnmatch(a.name, args["pattern"]):
                            shutil.copytree(a, work / args["path"] / a.name)
                else:
                    shutil.copytree(self.artifacts / args["name"], work / args["path"], dirs_exist_ok=True)
            else:
                assert run is not None and not uses, step
                output = work / ".github_output"
                output.touch()
                env = {k: v for k, v in os.environ.items() if k not in ("CI", "AUTOGRADER_SECRET")}
                env.update({k: self.render(v, ctx) for k, v in {**load().get("env", {}), **step.get("env", {})}.items()})
                env.update(GITHUB_OUTPUT=str(output), GITHUB_STEP_SUMMARY=str(self.summary), PATH=self.path, CI="true")
                proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", run], cwd=work,
                                      env=env, capture_output=True, text=True, timeout=900)
                self.log += proc.stdout + proc.stderr
                if proc.returncode:
                    return proc
                if step.get("id"):
                    ctx["steps"][step["id"]] = {"outputs": dict(line.split("=", 1) for line in
                                                                output.read_text().splitlines() if "=" in line)}
        self.outputs[name] = {k: self.render(v, ctx) for k, v in spec.get("outputs", {}).items()}
        return None


def _canvas_class(root: Path) -> None:
    """The other run's artifact: a Canvas download zip (two notebooks that are not notebooks) and a roster."""
    folder = root / "artifacts" / "submissions" / "lms"
    folder.mkdir(parents=True)
    with zipfile.ZipFile(folder / "submissions.zip", "w") as z:
        z.writestr(f"annlee_12345_1_{LAB}.ipynb", b"this is not a notebook")
        z.writestr(f"cleodoe_late_12346_2_{LAB}.ipynb", b'{"cells": [')
    (folder / "roster.csv").write_text("student_id,Student,ID\nann,\"Lee, Ann\",12345\ncleo,\"Doe, Cleo\",12346\n")


BASE = {"run_id": "4242", "artifact": "submissions", "repository": "", "path": "lms", "lms": "canvas",
        "shards": "1", "labs": LAB, "export": "csv", "times": "", "allow_unplaced": "false", "retention": "3"}


def test_do_the_workflows_shell_steps_grade_merge_report_and_export_a_small_class(tmp_path):
    _canvas_class(tmp_path)
    # one shard: merge across shards is tested elsewhere
    runner = Runner(tmp_path, BASE, {"AUTOGRADER_SECRET": "s3cret"})
    assert runner.job("prepare") is None
    assert runner.outputs["prepare"] == {"shards": "[1]"}
    failed = runner.job("grade", {"shard": 1})
    assert failed is None, failed.stderr
    failed = runner.job("merge")
    assert failed is None, failed.stderr
    grades = tmp_path / "artifacts" / "grades"
    with open(grades / "grades.csv", newline="") as f:
        assert [(r["student_id"], r["lab"], r["score"], r["status"]) for r in csv.DictReader(f)] == [
            ("ann", LAB, "0", "unreadable"), ("cleo", LAB, "0", "unreadable")]
    assert (grades / "grades_export.csv").read_text().splitlines() == [f"student_id,{LAB},total", "ann,0,0", "cleo,0,0"]
    assert (grades / "report.html").exists() and (grades / ".units" / "ann" / f"{LAB}.json").exists()
    assert sorted(p.name for p in (grades / "logs").iterdir()) == [
        "collect.log", "export.log", "part-1.grade.log"]
    summary = runner.summary.read_text()
    assert summary.splitlines()[:10] == [
        "### Grading", "", "2 students, 2 notebooks", "",
        "late: 0; time-unknown (no time the LMS recorded, no penalty): 0; refused files: 0", "",
        "| status | notebooks |", "|---|---:|", "| unreadable | 2 |", ""]
    assert "  0- 10% ## 2" in summary and " 90-100%  0" in summary
    assert not re.search(r"ann|cleo|Lee|Doe|12345", summary)


def test_do_the_logs_give_counts_and_no_readable_artifact_but_grades_hold_notebooks_or_the_roster(tmp_path):
    _canvas_class(tmp_path)
    runner = Runner(tmp_path, BASE, {"AUTOGRADER_SECRET": "s3cret"})
    for job, matrix in (("prepare", None), ("grade", {"shard": 1}), ("merge", None)):
        assert runner.job(job, matrix) is None
    assert not re.search(r"ann|cleo|Lee|Doe|12345|12346", runner.log), runner.log
    assert re.search(r"^collected 2 of 2 notebooks \(2 students\) into class/submitted; 0 with a time the LMS "
                     r"recorded, 2 time-unknown; 0 files not placed$", runner.log, re.M), runner.log
    assert re.search(r"^graded 1 submissions|^graded 2 submissions", runner.log, re.M), runner.log
    others = [p for p in (tmp_path / "artifacts").rglob("*") if p.is_file()
              and p.relative_to(tmp_path / "artifacts").parts[0] not in ("grades", "submissions")]
    assert sorted(p.name for p in others) == ["class.tar.gz.enc", "part-1.tar.gz.enc"]
    for p in others:  # ciphertext: no notebook, no roster, no name inside
        data = p.read_bytes()
        assert data.startswith(b"Salted__") and b"cleo" not in data and b"student_id" not in data
    steps = [s for job in load()["jobs"].values() for s in job["steps"] if s.get("uses", "").startswith(
        "actions/upload-artifact")]
    assert {s["with"]["name"]: s["with"]["retention-days"] for s in steps} == {
        "class": 1, "part-${{ matrix.shard }}": 1, "grades": "${{ inputs.retention }}"}
    assert not (tmp_path / "artifacts" / "grades" / "source").exists()


def test_does_the_workflow_refuse_a_public_repository(tmp_path):
    _canvas_class(tmp_path)
    failed = Runner(tmp_path, BASE, {"AUTOGRADER_SECRET": "s"}, private=False).job("prepare")
    assert failed is not None and failed.returncode == 1
    assert failed.stdout.strip() == (
        "::error::this repository is public: its logs and artifacts are readable by anyone, and grading handles "
        "students' notebooks, names and grades; run this workflow in a private repository")
    assert not (tmp_path / "artifacts" / "class").exists()


@pytest.mark.parametrize("inputs,error", [
    ({"run_id": "", "repository": ""},
     "::error::no submissions: set run_id (an artifact of another run) or repository (a private one)"),
    ({"shards": "0"}, "::error::shards must be from 1 to 256 (GitHub's limit on a matrix), got 0"),
    ({"lms": "blackboard"}, "::error::lms must be canvas, moodle or empty, got 'blackboard'"),
    ({"retention": "365"}, "::error::retention must be from 1 to 90 days, got 365"),
    ({"path": "elsewhere"}, "::error::no folder 'elsewhere' in the submissions: set the path input"),
    ({"times": "worksheet.csv"}, "::error::no times file 'worksheet.csv' beside the zips"),
])
def test_does_the_workflow_stop_on_bad_inputs_with_a_message(tmp_path, inputs, error):
    _canvas_class(tmp_path)
    failed = Runner(tmp_path, {**BASE, "shards": "2", "labs": "", **inputs}, {"AUTOGRADER_SECRET": "s"}).job("prepare")
    assert failed is not None and failed.returncode == 1
    assert failed.stdout.strip() == error


def test_does_the_run_stop_without_the_secret(tmp_path):
    _canvas_class(tmp_path)
    failed = Runner(tmp_path, BASE, {}).job("prepare")
    assert failed.returncode == 1
    assert failed.stdout.strip() == "::error::no grading secret: add the repository secret AUTOGRADER_SECRET"
