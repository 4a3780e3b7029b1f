"""Every lab's hidden checks against its named example submissions, run in this process (no
kernel): the fast loop for writing a lab. The end-to-end version is test_graded_corpus.py."""
from __future__ import annotations

import warnings

import pytest

from autograder import course as course_mod
from autograder.checks import checks_for
from autograder.release import graded_points
from tests import corpus

COURSE = course_mod.load()
LABS = [lab.id for lab in COURSE.labs if lab.source_notebook().exists()]
CASES = [c for lab in LABS for c in corpus.cases(lab) if not c.sandbox_only]


def autograded_points(lab: str) -> dict[str, float]:
    """grade_id -> points of the lab's graded cells that a check scores (not the reflections,
    which a TA grades by hand)."""
    return {gid: pts for gid, pts in graded_points(COURSE.lab(lab).source_notebook()).items()
            if not gid.startswith("reflection")}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_does_each_example_submission_fail_exactly_the_cells_its_header_names(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # buggy submissions overflow and diverge on purpose
        results = corpus.run_in_process(case)
    points = autograded_points(case.lab)
    want = case.expected_points(points)
    got = {gid: round(fraction * points[gid], 6) for gid, (fraction, _) in results.items()}
    assert got == pytest.approx({gid: want[gid] for gid in got}, abs=1e-3), \
        {g: m for g, (f, m) in results.items() if f < 1}


@pytest.mark.parametrize("lab", LABS)
def test_does_every_graded_cell_have_a_check_and_every_check_a_cell(lab):
    assert set(autograded_points(lab)) == set(checks_for(lab))


@pytest.mark.parametrize("lab", LABS)
def test_does_every_lab_have_a_right_and_a_blank_submission_that_pass_and_fail_everything(lab):
    names = {c.name: c for c in corpus.cases(lab)}
    assert names["right"].expect_failing == [] and names["right"].base == "solution"
    assert sorted(names["blank"].expect_failing) == sorted(autograded_points(lab))
    assert names["blank"].base == "release"
