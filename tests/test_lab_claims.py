"""The numbers the text of labs 4 and 5 quotes about their own runs agree with those runs.

Each source notebook keeps what its cells measured in a dict `measured`. This test runs the
notebook's cells in this process (the instructor's solutions; the graded test cells are left out,
their checks are tested elsewhere), then asserts, for each claim, that the text still says it and
that the run still gives it within the stated tolerance: text and code cannot drift apart."""
from __future__ import annotations

import functools
import os
import warnings

import nbformat
import pytest

from autograder import course as course_mod

COURSE = course_mod.load()

# lab -> [(words the notebook's markdown must contain, key of `measured`, value, tolerance)]
CLAIMS = {
    "lab4_feedback_alignment": [
        ("by epoch 30 the FA update of\n`W1` is already about 45 degrees", "fa_angle_epoch_30", 45.0, 8.0),
        ("more than 10% above BP's until about epoch 320", "fa_trails_until", 320, 40),
        ("`|W2|` grows from about 0.3 to about 6.4", "w2_norm_0", 0.33, 0.05),
        ("`|W2|` grows from about 0.3 to about 6.4", "w2_norm_400", 6.4, 0.5),
        ("about 0.15 of backprop's `|W2.T e|` by epoch 30", "signal_ratio_30", 0.15, 0.03),
        ("and about 0.04 by the end", "signal_ratio_400", 0.04, 0.01),
        ("about\none percentage point", "digits_FA_minus_BP", -0.013, 0.007),
        ("a tenth of the pixel range", "fgsm_unclipped_outside", 0.33, 0.05),  # why the clip matters
        ("fall from about 93% to about 56% correct", "fgsm_BP_0.1", 0.56, 0.03),
        ("FA networks to about\n64%", "fgsm_FA_0.1", 0.64, 0.03),
        ("both are at or below about 20%", "fgsm_FA_0.2", 0.19, 0.02),
        ("both are at or below about 20%", "fgsm_BP_0.2", 0.13, 0.03),
        ("FA's stays a little closer to\nthe pixels", "rsa_FA_minus_BP_pixels", 0.077, 0.04),
        ("a little further from the category model", "rsa_BP_minus_FA_category", 0.04, 0.03),
        ("more like the category model than the\npixels do", "rsa_FA_minus_pixels_category", 0.067, 0.04),
        ("resemble each other more than either resembles the pixels", "rsa_BP_FA_margin", 0.047, 0.04),
        ("far that best case still is from `B.T`", "shared_best_angle", 81.5, 4.0),
        ("within about half a percentage point of\nbackprop", "deep_DFA_minus_BP", -0.002, 0.006),
        ("about 93.2% of the test digits against 93.4%", "deep_DFA_accuracy", 0.932, 0.008),
        ("about 93.2% of the test digits against 93.4%", "deep_BP_accuracy", 0.934, 0.008),
        ("ends lower, at about 91.5%", "deep_FA_accuracy", 0.915, 0.008),
        ("still about 70 degrees from backprop's", "deep_DFA_final_angle", 70.0, 10.0),
        ("and FA's about as far", "deep_FA_final_angle", 70.0, 10.0),
    ],
    "lab5_dendritic_quiz": [
        ("from well under a degree at `beta = 0.2`", "nudge_angle_0.2", 0.25, 0.2),
        ("to about 2.5 degrees at the slider's maximum", "nudge_angle_2", 2.5, 0.3),
        ("A random\n`W_down` is far from backprop's error", "nudge_angle_random", 95.0, 15.0),
        ("from\nabout 0.24 to about 0.015", "output_only_start", 0.24, 0.02),
        ("from\nabout 0.24 to about 0.015", "output_only_final", 0.015, 0.003),
        ("lowers the final error by a\nfurther 6% or so on average", "hidden_gain_mean", 0.06, 0.02),
        ("(between 2% and 8% over the five tasks)", "hidden_gain_min", 0.02, 0.01),
        ("(between 2% and 8% over the five tasks)", "hidden_gain_max", 0.08, 0.015),
        ("hidden layer's learning gains nothing", "hidden_gain_random_mean", 0.0, 0.02),
        ("stays about 90 degrees from backprop's", "random_angle_mean", 92.0, 6.0),
        ("(about 92 on average)", "random_angle_mean", 92.0, 1.5),
        ("(about 6%, on every task)", "hidden_gain_min", 0.03, 0.025),
        ("about 0.04 degrees at\n`beta = 0.02`", "rate_angle_0.02", 0.04, 0.02),
        ("is about 90 degrees from the gradient", "spike_angle_0.02", 89.0, 8.0),
        ("come within about 25 degrees", "spike_angle_2", 25.0, 6.0),
        ("about 0.002 degrees at `beta = 0.001`", "ep_angle_small_beta", 0.002, 0.002),
        ("about 2 degrees at\n`beta = 2`", "ep_angle_beta_2", 2.0, 0.75),
        ("both end near a\nloss of 0.10", "ep_final_equilibrium", 0.10, 0.02),
        ("both end near a\nloss of 0.10", "ep_final_exact", 0.10, 0.02),
    ],
}


@functools.lru_cache(maxsize=None)
def run_notebook(lab: str) -> tuple[dict, str]:
    """(the notebook's `measured`, its markdown text) after running its cells here."""
    nb = nbformat.read(COURSE.lab(lab).source_notebook(), as_version=4)
    namespace: dict = {"__name__": "__main__"}
    previous = os.getcwd()
    os.chdir(COURSE.lab(lab).source_notebook().parent)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for cell in nb.cells:
                meta = cell.metadata.get("nbgrader", {})
                if cell.cell_type == "code" and not (meta.get("grade") and not meta.get("solution")):
                    exec(compile(cell.source, f"<{lab} {meta.get('grade_id')}>", "exec"), namespace)  # noqa: S102
    finally:
        os.chdir(previous)
        import matplotlib.pyplot as plt
        plt.close("all")
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    return namespace["measured"], markdown


def _derived(measured: dict) -> dict:
    out = dict(measured)
    if "deep_DFA_accuracy" in out:
        out["deep_DFA_minus_BP"] = out["deep_DFA_accuracy"] - out["deep_BP_accuracy"]
    if "digits_FA_accuracy" in out:
        out["digits_FA_minus_BP"] = out["digits_FA_accuracy"] - out["digits_BP_accuracy"]
    if "rsa_BP_FA" in out:  # differences between RSA scores: the text's comparisons
        out["rsa_FA_minus_BP_pixels"] = out["rsa_FA_pixels"] - out["rsa_BP_pixels"]
        out["rsa_BP_minus_FA_category"] = out["rsa_BP_category"] - out["rsa_FA_category"]
        out["rsa_FA_minus_pixels_category"] = out["rsa_FA_category"] - out["rsa_pixels_category"]
        out["rsa_BP_FA_margin"] = out["rsa_BP_FA"] - max(out["rsa_BP_pixels"], out["rsa_FA_pixels"])
    return out


CASES = [pytest.param(lab, words, key, value, tol, id=f"{lab}:{key}",
                      marks=pytest.mark.xdist_group(f"claims-{lab}"))
         for lab, claims in CLAIMS.items() for words, key, value, tol in claims]


@pytest.mark.parametrize("lab,words,key,value,tol", CASES)
def test_does_the_text_quote_what_the_notebooks_run_measures(lab, words, key, value, tol, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    measured, markdown = run_notebook(lab)
    assert " ".join(words.split()) in " ".join(markdown.split()), f"{lab}: the text no longer says {words!r}"
    got = _derived(measured)[key]
    assert abs(got - value) <= tol, f"{lab}: the text says {words!r} ({key} = {value} +- {tol}), the run gives {got:.4g}"
