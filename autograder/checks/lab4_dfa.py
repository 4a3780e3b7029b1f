"""Hidden check for lab 4's direct feedback alignment: `dfa_backward` on a network with two hidden
layers (shared/LABS.md, added 2026-12-07). Imported by checks/lab4_feedback_alignment.py, so
registered under the same lab.

`dfa_backward` reads everything it needs from `params`, `cache`, `T` and `B` (the cache is built
here by the reference forward), so it builds on no other graded part: nothing to carry forward.
DFA is not the gradient of anything, so no numerical derivative could stand in for it and no cost
check is needed. One part per parameter, as for fa_backward."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from autograder.checks.backprop import expect_gradient_dicts
from autograder.checks.core import check, expect_close, judge_parts, tolerance_for
from autograder.reference import lab4_feedback_alignment as ref

LAB = "lab4_feedback_alignment"
KEYS = ref.DEEP_KEYS


def _network(rng, d, h1, h2, k, n, scale=1.0):
    """(params, X, T, B): a two-hidden-layer network, its inputs and targets, and DFA's matrices."""
    params = ref.init_deep(d, h1, h2, k, rng, scale=scale)
    params = {key: v + (rng.normal(0.0, 0.5, v.shape) if key.startswith("b") else 0.0) for key, v in params.items()}
    X, T = rng.normal(0.0, 1.0, (n, d)), rng.normal(0.0, 1.0, (n, k))
    B = {"B1": rng.normal(0.0, 1.0, (h1, k)), "B2": rng.normal(0.0, 1.0, (h2, k))}
    return params, X, T, B


@st.composite
def _deep_cases(draw):
    sizes = [draw(st.integers(1, hi)) for hi in (6, 7, 7, 4, 9)]  # D, H1, H2, K, N
    seed = draw(st.integers(0, 2**32 - 1))
    return _network(np.random.default_rng(seed), *sizes, scale=draw(st.sampled_from([0.5, 1.0, 3.0])))


def _edge_cases():
    """Always checked: saturated tanh units, a single case, one unit in each hidden layer, one
    output, and hidden layers of equal width (where swapping B1 and B2 would go unnoticed in shape)."""
    rng = np.random.default_rng(27)
    saturated = _network(rng, 3, 4, 3, 2, 5, scale=8.0)
    return [saturated, _network(rng, 4, 5, 3, 2, 1), _network(rng, 5, 1, 1, 3, 6),
            _network(rng, 3, 4, 2, 1, 4), _network(rng, 4, 5, 5, 3, 7)]


def _describe(params, T):
    return (f"dfa_backward with {T.shape[0]} cases, {params['W1'].shape[1]} inputs, hidden layers of "
            f"{params['W1'].shape[0]} and {params['W2'].shape[0]} units, {T.shape[1]} outputs")


def _hint(key, got, args):
    """What a wrong hidden-layer update most likely is."""
    params, cache, T, B = args
    if key not in ("W1", "b1", "W2", "b2") or not isinstance(got, np.ndarray):
        return ""
    E = cache["Y"] - T
    layer = "1" if key.endswith("1") else "2"
    H, inp = (cache["H1"], cache["X"]) if layer == "1" else (cache["H2"], cache["H1"])
    guesses = {
        "that is backprop's: in DFA each hidden layer takes the output error straight through its own B, "
        "not through the weights above": ref.bp_backward_deep(params, cache, T),
        "the error reaches this layer through the layer above (feedback alignment layer by layer); in DFA "
        f"it comes from the output error directly, E @ B['B{layer}'].T":
            _layered_fa(params, cache, T, B),
        "the tanh derivative 1 - H**2 is missing": _dfa_without_derivative(cache, E, B),
    }
    for hint, grads in guesses.items():
        want = grads[key]
        if got.shape == want.shape and np.allclose(got, want, rtol=1e-6, atol=1e-9):
            return hint
    if B["B1"].shape == B["B2"].shape:
        other = "2" if layer == "1" else "1"
        delta = (E @ B[f"B{other}"].T) * (1.0 - H ** 2)
        want = delta.T @ inp if key.startswith("W") else delta.sum(axis=0)
        if got.shape == want.shape and np.allclose(got, want, rtol=1e-6, atol=1e-9):
            return f"layer {layer} takes its error through B['B{layer}'], not B['B{other}']"
    return ""


def _layered_fa(params, cache, T, B):
    E = cache["Y"] - T
    delta2 = (E @ B["B2"].T) * (1.0 - cache["H2"] ** 2)
    delta1 = (delta2 @ params["W2"]) * (1.0 - cache["H1"] ** 2)
    return ref._deep_grads(cache, E, delta2, delta1)


def _dfa_without_derivative(cache, E, B):
    return ref._deep_grads(cache, E, E @ B["B2"].T, E @ B["B1"].T)


@check(LAB, "dfa_backward")
def dfa_backward(ctx):
    cases = ctx.cases(_deep_cases(), explicit=_edge_cases())
    calls = [(p, ref.forward_deep(p, X)[1], T, B) for p, X, T, B in cases]
    whats = [_describe(p, T) for p, _, T, _ in calls]
    got = expect_gradient_dicts(ctx.call("dfa_backward", calls), calls, whats, keys=KEYS)
    wants = [ref.dfa_backward(*args) for args in calls]

    def part(key):
        def judge():
            for grads, want, what, args in zip(got, wants, whats, calls):
                rtol, atol = tolerance_for(ctx, grads[key])
                expect_close(grads[key], want[key], f"{what}: {key}", rtol=rtol, atol=atol,
                             hint=_hint(key, grads[key], args))
        return judge

    judge_parts([(key, 1.0, part(key)) for key in KEYS])
