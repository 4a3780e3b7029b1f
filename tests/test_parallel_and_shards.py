"""Grading in parallel and in shards gives exactly the class a sequential run gives.

A small class of four lab 3 submissions (right, blank, and two planted bugs) is graded with one
worker, with two workers, and as two shards merged; the tables must be the same bytes."""
from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from autograder import course as course_mod
from autograder import merge
from autograder.grade import pipeline
from autograder.grade.unit import manual_cells
from tests.corpus import Case, solution_code, write_submission

LAB = "lab3_backprop"

B1_DOUBLED = solution_code(LAB)["solution_backward"].replace('"b1": delta1.sum(axis=0)',
                                                             '"b1": 2 * delta1.sum(axis=0)')
LOSS_WITHOUT_HALF = solution_code(LAB)["solution_loss"].replace("0.5 * ", "")
assert B1_DOUBLED != solution_code(LAB)["solution_backward"], "the b1 bug was not planted"
assert "0.5" not in LOSS_WITHOUT_HALF, "the loss bug was not planted"

# student -> the case it submits; the names say what each must score. One mistake costs one
# function's points (error carried forward): the doubled b1 gradient 1.5 of backward's 6 (one part
# of four), the loss without its half the loss's 2; train and train_xor keep theirs.
CLASS = {
    "s1_right": Case(lab=LAB, name="right", path=Path("right.py")),
    "s2_blank": Case(lab=LAB, name="blank", path=Path("blank.py"), base="release"),
    "s3_backward_b1_doubled": Case(lab=LAB, name="b1_doubled", path=Path("b1.py"),
                                   cells={"solution_backward": B1_DOUBLED}),
    "s4_loss_without_half": Case(lab=LAB, name="loss_no_half", path=Path("loss.py"),
                                 cells={"solution_loss": LOSS_WITHOUT_HALF}),
}

# the lab's points (course.toml: 20 autograded, plus its written answers once it has them, which
# nobody here answered: 0 and flagged)
P = course_mod.load().lab(LAB).points
WRITTEN = "needs-manual-grade" if manual_cells(nbformat.read(course_mod.load().lab(LAB).source_notebook(),
                                                              as_version=4)) else ""
FLAGS = ";".join(filter(None, [WRITTEN, "time-unknown"]))  # no LMS times given: submission_times.py
GRADES_CSV = f"""student_id,lab,score,penalty,final,max_score,status,flags
s1_right,lab3_backprop,20,0,20,{P:g},ok,{FLAGS}
s2_blank,lab3_backprop,0,0,0,{P:g},ok,{FLAGS}
s3_backward_b1_doubled,lab3_backprop,18.5,0,18.5,{P:g},ok,{FLAGS}
s4_loss_without_half,lab3_backprop,18,0,18,{P:g},ok,{FLAGS}
"""

# one process grades the class once for every test here (make test distributes by group)
pytestmark = [pytest.mark.xdist_group("parallel_and_shards"),
              pytest.mark.skipif(not (course_mod.ROOT / "source" / LAB).is_dir(), reason=f"{LAB} not written yet")]


def _grade(submissions: Path, out: Path, **kwargs) -> Path:
    pipeline.main(submissions=submissions, out=out, labs=[LAB], progress=False, **kwargs)
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """The class graded four ways: 1 worker, 2 workers, and 2 shards (2 workers each) merged."""
    root = tmp_path_factory.mktemp("class")
    submissions = root / "submitted"
    for student, case in CLASS.items():
        write_submission(case, submissions / student / LAB)
    runs = {"workers1": _grade(submissions, root / "workers1", workers=1),
            "workers2": _grade(submissions, root / "workers2", workers=2),
            "part1": _grade(submissions, root / "part1", workers=2, shard="1/2"),
            "part2": _grade(submissions, root / "part2", workers=2, shard="2/2")}
    merge.main(parts=[runs["part1"], runs["part2"]], out=root / "merged")
    runs["merged"] = root / "merged"
    runs["other_secret"] = _grade(submissions, root / "other_secret", workers=2, secret="another-course-secret")
    alone = root / "alone"
    shutil.copytree(submissions / "s3_backward_b1_doubled", alone / "s3_backward_b1_doubled")
    runs["alone"] = _grade(alone, root / "alone_out", workers=1)
    runs["submissions"] = submissions
    return runs


def _feedback(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted((out / "feedback").rglob("*.html"))}


def test_does_one_worker_give_the_expected_grades(runs):
    assert (runs["workers1"] / "grades.csv").read_text() == GRADES_CSV


def test_do_two_workers_give_the_same_bytes_as_one(runs):
    for table in ("grades.csv", "cells.csv"):
        assert (runs["workers2"] / table).read_bytes() == (runs["workers1"] / table).read_bytes(), table


def test_is_a_student_graded_alone_graded_as_with_the_class(runs):
    rows = [r for r in (runs["workers1"] / "cells.csv").read_text().splitlines()[1:]
            if r.startswith("s3_backward_b1_doubled,")]
    assert (runs["alone"] / "cells.csv").read_text().splitlines()[1:] == rows


def test_does_another_secret_give_the_same_verdicts(runs):
    # the inputs change with the secret (test_grader_survives); the cells must not
    assert (runs["other_secret"] / "cells.csv").read_bytes() == (runs["workers1"] / "cells.csv").read_bytes()


def test_do_two_merged_shards_give_the_same_bytes_as_one_run(runs):
    for table in ("grades.csv", "cells.csv"):
        assert (runs["merged"] / table).read_bytes() == (runs["workers1"] / table).read_bytes(), table
    assert _feedback(runs["merged"]) == _feedback(runs["workers1"])
    # formgrader's notebooks come along, and nbgrader's tools run in the merged folder
    assert sorted(str(p.relative_to(runs["merged"])) for p in (runs["merged"] / "autograded").rglob("*.ipynb")) == [
        f"autograded/{s}/{LAB}/{LAB}.ipynb" for s in CLASS]
    assert f"out={str(runs['merged'])!r}" in (runs["merged"] / "nbgrader_config.py").read_text()
    assert len(_feedback(runs["merged"])) == 4


def test_are_the_two_shards_disjoint_halves_of_the_class(runs):
    part1 = (runs["part1"] / "grades.csv").read_text().splitlines()[1:]
    part2 = (runs["part2"] / "grades.csv").read_text().splitlines()[1:]
    assert [row.split(",")[0] for row in part1] == ["s1_right", "s3_backward_b1_doubled"]
    assert [row.split(",")[0] for row in part2] == ["s2_blank", "s4_loss_without_half"]


def test_does_the_merged_gradebook_hold_every_students_scores(runs):
    from nbgrader.api import Gradebook

    course = course_mod.load()
    expected = {"s1_right": 20.0, "s2_blank": 0.0, "s3_backward_b1_doubled": 18.5, "s4_loss_without_half": 18.0}
    with Gradebook(f"sqlite:///{runs['merged'] / 'gradebook.db'}", course.id) as gb:
        assert sorted(s.id for s in gb.students) == sorted(expected)
        scores = {s: gb.find_submission(LAB, s).score for s in expected}
        backward = {s: gb.find_grade("backward", LAB, LAB, s).score for s in expected}
    assert scores == expected
    assert backward == {"s1_right": 6.0, "s2_blank": 0.0, "s3_backward_b1_doubled": 4.5, "s4_loss_without_half": 6.0}


def test_are_shards_disjoint_and_do_they_cover_the_class(tmp_path):
    for i in range(11):
        (tmp_path / f"student{i:02d}").mkdir()
    (tmp_path / ".hidden").mkdir()
    everyone = pipeline.students_in(tmp_path, None)
    assert len(everyone) == 11
    for n in (1, 2, 3, 4, 11, 12):
        parts = [pipeline.students_in(tmp_path, (k, n)) for k in range(1, n + 1)]
        assert sorted(s for part in parts for s in part) == everyone, n
        assert max(map(len, parts)) - min(map(len, parts)) <= 1, n


def test_is_a_bad_shard_rejected_with_its_value():
    for bad in ("3/2", "0/2", "a/b", "2"):
        with pytest.raises(ValueError, match=f"--shard {bad!r}"):
            pipeline.parse_shard(bad)
    assert pipeline.parse_shard("2/3") == (2, 3)


def test_does_merge_reject_a_student_in_two_parts(runs, tmp_path):
    twin = tmp_path / "part1-again"
    shutil.copytree(runs["part1"], twin)
    with pytest.raises(ValueError, match=r"student 's1_right' is in two parts, .*part1 and .*part1-again: "
                                         r"merge the parts of one `--shard K/N` split"):
        merge.main(parts=[runs["part1"], twin], out=tmp_path / "merged")
    assert not (tmp_path / "merged").exists()


def test_does_merge_reject_a_folder_that_is_not_a_grading_output(runs, tmp_path):
    with pytest.raises(ValueError, match=r"submitted is not a grading output \(no grades.csv and .units\): "
                                         r"pass the --out folder of an `autograder grade` run"):
        merge.main(parts=[runs["part1"], runs["submissions"]], out=tmp_path / "merged")
    with pytest.raises(FileNotFoundError, match="no folder at .*nowhere"):
        merge.main(parts=[tmp_path / "nowhere"], out=tmp_path / "merged")
    with pytest.raises(ValueError, match="is also a part: merge into a new folder"):
        merge.main(parts=[runs["part1"], runs["part2"]], out=runs["part2"])


def test_does_merge_reject_a_missing_shard(runs, tmp_path):
    with pytest.raises(ValueError, match=r"merge: shard 2/2 missing: grade it \(`autograder grade SUBMISSIONS "
                                         r"--shard 2/2`\) and merge all 2 parts"):
        merge.main(parts=[runs["part1"]], out=tmp_path / "merged")
