"""Hidden checks for lab3_backprop: one per graded cell, named by its grade_id."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from autograder.checks.backprop import KEYS, check_backward
from autograder.checks.core import (CheckFailed, check, expect_array, expect_close, expect_dict_of_arrays,
                                    expect_float, expect_returned, expect_unchanged)
from autograder.reference import lab3_backprop as ref
from autograder.strategies import three_layer_cases

LAB = "lab3_backprop"


def _edge_cases():
    """The cases that matter most, always checked: saturated sigmoids, a single case, one hidden unit."""
    rng = np.random.default_rng(3)
    saturated = ({"W1": rng.normal(0, 8, (3, 2)), "b1": np.array([20.0, -20.0, 0.0]),
                  "W2": rng.normal(0, 8, (2, 3)), "b2": np.array([15.0, -15.0])},
                 rng.normal(0, 10, (4, 2)), rng.uniform(0, 1, (4, 2)))
    single = ({"W1": rng.normal(size=(4, 3)), "b1": rng.normal(size=4), "W2": rng.normal(size=(2, 4)),
               "b2": rng.normal(size=2)}, rng.normal(size=(1, 3)), rng.uniform(size=(1, 2)))
    one_hidden = ({"W1": rng.normal(size=(1, 5)), "b1": rng.normal(size=1), "W2": rng.normal(size=(3, 1)),
                   "b2": rng.normal(size=3)}, rng.normal(size=(6, 5)), rng.uniform(size=(6, 3)))
    return [saturated, single, one_hidden]


def _cases(ctx, **kw):
    return ctx.cases(three_layer_cases(**kw), explicit=_edge_cases())


@check(LAB, "init_params")
def init_params(ctx):
    shapes = [(2, 2, 1), (6, 8, 4), (1, 1, 1), (30, 20, 10)]
    cases = [(d, h, k, np.random.default_rng(s)) for (d, h, k) in shapes for s in (11, 11, 12)]
    got = ctx.call("init_params", cases)
    for i, ((d, h, k, _), ret) in enumerate(zip(cases, got)):
        what = f"init_params({d}, {h}, {k}, rng)"
        params = expect_returned(ret, what)
        if not isinstance(params, dict) or set(params) != set(KEYS):
            raise CheckFailed(f"{what}: expected a dict with keys W1, b1, W2, b2, got {params!r:.100}")
        for key, shape in zip(KEYS, [(h, d), (h,), (k, h), (k,)]):
            expect_array(params[key], f"{what}: {key}", shape=shape)
        if h * d > 1 and np.all(params["W1"] == params["W1"].flat[0]):
            raise CheckFailed(f"{what}: all entries of W1 are equal: hidden units would stay identical")
        if i % 3 == 1:
            first = got[i - 1].value
            if not all(np.array_equal(first[key], params[key]) for key in KEYS):
                raise CheckFailed(f"{what}: two generators with the same seed gave different weights: "
                                  "draw random numbers only from rng")
        if i % 3 == 2 and h * d > 1 and np.array_equal(got[i - 1].value["W1"], params["W1"]):
            raise CheckFailed(f"{what}: generators with different seeds gave the same W1: draw it from rng")


@check(LAB, "forward")
def forward(ctx):
    cases = _cases(ctx)
    rtol, atol = ctx.tol()
    for (params, X, T), ret in zip(cases, ctx.call("forward", [(p, X) for p, X, T in cases])):
        what = f"forward with {X.shape[0]} cases, {X.shape[1]} inputs, {params['W1'].shape[0]} hidden"
        value = expect_returned(ret, what)
        if not (isinstance(value, tuple) and len(value) == 2):
            raise CheckFailed(f"{what}: expected (Y, cache), got {type(value).__name__}")
        want_Y, want_cache = ref.forward(params, X)
        expect_close(value[0], want_Y, f"{what}: Y", rtol=rtol, atol=atol)
        expect_dict_of_arrays(value[1], want_cache, f"{what}: cache", rtol=rtol, atol=atol)
        expect_unchanged(ret, (params, X), what)


@check(LAB, "loss")
def loss(ctx):
    shaped = st.tuples(st.integers(1, 10), st.integers(1, 4))
    cases = ctx.cases(shaped.flatmap(lambda s: st.tuples(
        *(three_layer_cases(max_cases=s[0], max_outputs=s[1]).map(lambda c: c[2]) for _ in range(2)))))
    cases = [(np.clip(a, 0, 1), b) for a, b in cases if a.shape == b.shape] + [(np.zeros((1, 1)), np.ones((1, 1)))]
    rtol, atol = ctx.tol()
    for (Y, T), ret in zip(cases, ctx.call("loss", cases)):
        what = f"loss of {Y.shape[0]} cases with {Y.shape[1]} outputs"
        expect_float(expect_returned(ret, what), ref.loss(Y, T), what, rtol=rtol, atol=atol,
                     hint="0.5 times the sum over cases and outputs?")
        expect_unchanged(ret, (Y, T), what)


@check(LAB, "backward")
def backward(ctx):
    check_backward(ctx, "backward", _cases(ctx), ref, ref.backward)


@check(LAB, "sgd_step")
def sgd_step(ctx):
    cases = _cases(ctx)
    rng = ctx.rng()
    calls = [(p, {k: rng.normal(size=v.shape) for k, v in p.items()}, float(rng.uniform(0.01, 2))) for p, _, _ in cases]
    rtol, atol = ctx.tol()
    for args, ret in zip(calls, ctx.call("sgd_step", calls)):
        what = f"sgd_step with lr={args[2]:.3g}"
        expect_dict_of_arrays(expect_returned(ret, what), ref.sgd_step(*args), what, rtol=rtol, atol=atol)
        expect_unchanged(ret, args, what)


@check(LAB, "train")
def train(ctx):
    cases = _cases(ctx, max_cases=6)[:8]
    rng = ctx.rng()
    calls = [(p, X, T, float(rng.uniform(0.05, 1.0)), int(rng.integers(1, 6))) for p, X, T in cases]
    rtol, atol = ctx.tol()
    for args, ret in zip(calls, ctx.call("train", calls)):
        what = f"train for {args[4]} epochs with lr={args[3]:.3g}"
        value = expect_returned(ret, what)
        if not (isinstance(value, tuple) and len(value) == 2):
            raise CheckFailed(f"{what}: expected (params, losses), got {type(value).__name__}")
        want_params, want_losses = ref.train(*args)
        losses = value[1]
        if isinstance(losses, (list, tuple)):
            if not all(isinstance(x, (float, int)) or (isinstance(x, np.ndarray) and x.shape == ()) for x in losses):
                raise CheckFailed(f"{what}: losses should be a list of floats")
            losses = np.array([float(x) for x in losses])
        expect_close(losses, np.array(want_losses), f"{what}: losses", rtol=rtol, atol=atol,
                     hint="losses[i] is the loss before the i-th update")
        expect_dict_of_arrays(value[0], want_params, f"{what}: params", rtol=rtol, atol=atol)
        expect_unchanged(ret, args, what)


XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_T = np.array([[0.0], [1.0], [1.0], [0.0]])


@check(LAB, "train_xor")
def train_xor(ctx):
    # From the notebook's start, XOR must be learned; from a second, secret start the result must
    # differ: a train that returns a memorised XOR network whatever it is given gets nothing.
    starts = [ref.init_params(2, 4, 1, np.random.default_rng(0)), ref.init_params(2, 4, 1, ctx.rng())]
    rets = ctx.call("train", [(params, XOR_X, XOR_T, 2.0, 3000) for params in starts])
    trained = []
    for ret in rets:
        value = expect_returned(ret, "train on XOR")
        if not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], dict)):
            raise CheckFailed("train on XOR: expected (params, losses)")
        try:
            got = {k: np.asarray(value[0][k], dtype=float) for k in KEYS}
            ref.forward(got, XOR_X)
        except Exception:
            raise CheckFailed("train on XOR: the returned params are not a valid network") from None
        trained.append(got)
    final = ref.loss(ref.forward(trained[0], XOR_X)[0], XOR_T)
    if not final < 0.05:
        raise CheckFailed(f"train on XOR (4 hidden units, lr 2.0, 3000 epochs): final loss {final:.3g}, "
                          "expected below 0.05")
    if all(np.allclose(trained[0][k], trained[1][k]) for k in KEYS):
        raise CheckFailed("train on XOR: two different starting networks gave the same trained network: "
                          "train must start from the params it is given")
