"""Every lab's hidden checks against its named example submissions, run in this process (no
kernel): the fast loop for writing a lab. The end-to-end version is test_graded_corpus.py."""
from __future__ import annotations

import functools
import warnings

import numpy as np

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


# The inputs each check actually uses ---------------------------------------------------------------
# Every check runs against the instructor's solutions with a caller that records what it asks the
# student's functions; the features below must each occur at least once (a strategy that collapses
# to trivial cases, such as equal-shape pairs that leave only 1 x 1 arrays, fails here).

def _network(args):
    """(N, H, K, largest |pre-activation|) when args are a network call, else None."""
    params = next((a for a in args if isinstance(a, dict) and "W1" in a), None)
    if params is None:
        return None
    X = next((a["X"] for a in args if isinstance(a, dict) and "X" in a), None)
    if X is None:
        X = next(a for a in args if isinstance(a, np.ndarray) and a.ndim == 2 and a.shape[1] == params["W1"].shape[1])
    z1 = X @ params["W1"].T + params["b1"]
    return X.shape[0], params["W1"].shape[0], params["W2"].shape[0], float(np.abs(z1).max())


def _arrays(args):
    return [a for a in args if isinstance(a, np.ndarray)]


NETWORK = {"N == 1": lambda f: f[0] == 1, "H == 1": lambda f: f[1] == 1, "K == 1 or N, K > 1": lambda f: f[2] >= 1,
           "N > 1 and K > 1": lambda f: f[0] > 1 and f[2] > 1, "saturated (|Z1| > 10)": lambda f: f[3] > 10}
ARRAYS = {"a 2-d array": lambda a: any(x.ndim == 2 for x in a), "a 1-d array": lambda a: any(x.ndim == 1 for x in a)}
EXTREME = {"|z| >= 700": lambda a: any(x.size and np.abs(x).max() >= 700 for x in a),
           "z == 0": lambda a: any((x == 0).any() for x in a), **ARRAYS}
LINEAR = {"N == 1": lambda a: any(x.ndim == 2 and x.shape[0] == 1 for x in a),
          "D == 1": lambda a: any(x.ndim == 2 and x.shape[1] == 1 for x in a),
          "N > 1 and D > 1": lambda a: any(x.ndim == 2 and min(x.shape) > 1 for x in a)}
MATRIX = {"a 2-d result, N > 1 and K > 1": lambda a: any(x.ndim == 2 and min(x.shape) > 1 for x in a),
          "a single case (1 row)": lambda a: any(x.ndim == 2 and x.shape[0] == 1 for x in a)}

INPUT_FEATURES = {
    "lab1_gradients": {"df_dx": ARRAYS, "df_dy": ARRAYS, "sigmoid": EXTREME, "sigmoid_prime": EXTREME,
                       "relu": EXTREME, "relu_prime": EXTREME,
                       "neuron_grads": {**ARRAYS, "broadcasting (shapes differ)":
                                        lambda a: len({x.shape for x in a}) > 1},
                       "numerical_gradient": {"a 3-d x": lambda a: any(x.ndim == 3 for x in a), **ARRAYS},
                       "relative_error": {"all zeros": lambda a: any(x.size and not x.any() for x in a), **ARRAYS}},
    "lab2_delta_rule": {g: LINEAR for g in ("predict", "squared_error", "error_gradient", "delta_rule_batch_step",
                                            "train_delta_rule_batch", "train_delta_rule_online", "max_stable_lr")},
    "lab3_backprop": {**{g: NETWORK for g in ("forward", "backward", "train")}, "loss": MATRIX},
    "lab4_feedback_alignment": {g: NETWORK for g in ("bp_backward", "fa_backward", "fa_backward_output_layer",
                                                     "train")},
    "lab5_dendritic_quiz": {"urbanczik_senn_update": {"n != m (not square)": lambda a: len(a) == 3 and
                                                      a[0].size != a[2].size,
                                                      "n > 1 and m > 1": lambda a: len(a) == 3 and
                                                      min(a[0].size, a[2].size) > 1},
                            "contrastive_update": {"n_pre != n_post (not square)": lambda a: len(a) == 4 and
                                                   a[0].size != a[1].size,
                                                   "n_pre > 1 and n_post > 1": lambda a: len(a) == 4 and
                                                   min(a[0].size, a[1].size) > 1}},
}


@functools.lru_cache(maxsize=None)
def _solution_namespace(lab: str) -> dict:
    """The instructor's solutions, defined once per lab (their cells run, the test cells not)."""
    case = next(c for c in corpus.cases(lab) if c.name == "right")
    namespace: dict = {"__name__": "__main__"}
    for cell in corpus.build_notebook(case).cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and not (meta.get("grade") and not meta.get("solution")):
            try:
                exec(compile(cell.source, "<right>", "exec"), namespace)  # noqa: S102 - our own corpus
            except Exception:  # noqa: BLE001 - plots and such
                pass
    return namespace


def _recorded_inputs(lab: str, grade_id: str) -> list[tuple]:
    """Every args tuple the check sends to the student's functions, run against the solutions."""
    import tomllib

    from autograder.checks import in_process_caller, run_check

    inner = in_process_caller(_solution_namespace(lab))
    seen: list[tuple] = []

    def recording(requests):
        for r in requests:
            seen.extend(tuple(a for a in args) for args in r["cases"])
        return inner(requests)

    tolerances = tomllib.loads((corpus.ROOT / "course.toml").read_text())["tolerances"]
    fraction, message = run_check(lab, grade_id, caller=recording, secret="demo-secret-not-for-real-classes",
                                  n_examples=20, tolerances=tolerances)
    assert fraction == 1.0, message
    return seen


@pytest.mark.parametrize("lab,grade_id", [(lab, g) for lab, checks in INPUT_FEATURES.items() for g in checks])
def test_does_each_check_use_the_inputs_the_contract_names(lab, grade_id):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inputs = _recorded_inputs(lab, grade_id)
    features = INPUT_FEATURES[lab][grade_id]
    networks = [f for f in map(_network, inputs) if f is not None]
    listing = sorted({str(f[:3]) for f in networks} or {str([x.shape for x in _arrays(a)]) for a in inputs})
    print(f"{lab}/{grade_id}: {len(inputs)} calls; shapes used: {', '.join(listing)[:600]}")
    missing = [name for name, has in features.items()
               if not (any(has(f) for f in networks) if features is NETWORK else any(has(_arrays(a)) for a in inputs))]
    assert not missing, f"{lab}/{grade_id} never uses: {missing}"
