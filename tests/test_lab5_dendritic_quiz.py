"""lab5_dendritic_quiz: its checks judge each named example submission as its header says
(in-process, no kernel), the quiz's answers never reach the release notebook, and the reference
means what the lab says."""
from __future__ import annotations

import re

import nbformat
import numpy as np
import pytest

from autograder import course as course_mod
from autograder.reference import lab5_dendritic_quiz as ref

LAB = "lab5_dendritic_quiz"


def _cells(path):
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def test_are_there_at_least_ten_questions_with_choice_numeric_and_fill_in_among_them():
    assert len(ref.QUESTIONS) >= 10 and ref.CHOICE and ref.NUMERIC and ref.FILL_IN
    assert ref.QUESTIONS == [f"q{i}" for i in range(1, len(ref.QUESTIONS) + 1)]


def test_does_the_release_notebook_hold_no_quiz_answer():
    release = course_mod.load().lab(LAB).release_notebook()
    text = "\n".join(c.source for c in _cells(release))
    for q in ref.QUESTIONS:
        assert not re.search(rf"^\s*{q}\s*=", text, flags=re.M), f"{q} is assigned in the release notebook"
    assert "BEGIN HIDDEN TESTS" not in text and "self-predicting" not in text.lower()


def test_do_the_instructors_answers_in_the_source_notebook_equal_the_references():
    namespace = {"np": np}
    for cell in _cells(course_mod.load().lab(LAB).source_notebook()):
        if re.fullmatch(r"solution_q\d+", cell.metadata.get("nbgrader", {}).get("grade_id", "")):
            exec(cell.source, namespace)  # noqa: S102 - the course's own cells
    for q, want in ref.CHOICE.items():
        assert namespace[q] == want
    for q, want in ref.NUMERIC.items():
        assert np.isclose(namespace[q], want, rtol=1e-12)
    for q, accepted in ref.FILL_IN.items():
        assert namespace[q] in accepted


def test_are_the_numeric_answers_what_the_formulas_give_by_hand():
    assert ref.NUMERIC == pytest.approx({"q5": 2.5 / 1.9, "q7": 0.5, "q9": 0.2}, rel=1e-12)


def test_is_the_dendritic_prediction_the_somatic_potential_when_the_apical_potential_is_zero():
    v_b = np.array([-1.0, 0.5, 3.0])
    steady = (ref.G_B * v_b + ref.G_A * 0.0) / (ref.G_LK + ref.G_B + ref.G_A)
    assert np.allclose(ref.dendritic_prediction(v_b), steady)


def test_does_the_urbanczik_senn_update_vanish_when_the_soma_sits_at_its_prediction():
    v_b = np.array([0.3, -2.0])
    dw = ref.urbanczik_senn_update(0.7, ref.dendritic_prediction(v_b), v_b, np.array([1.0, 0.5, 0.2]), np.tanh)
    assert dw.shape == (2, 3) and np.all(dw == 0.0)


def test_does_perfect_cancellation_give_a_zero_apical_potential():
    W_down, r = np.arange(6.0).reshape(3, 2), np.array([0.2, 0.9])
    assert np.all(ref.apical_potential(W_down, r, -W_down, r) == 0.0)
