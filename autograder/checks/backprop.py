"""The backward-pass check shared by lab 3 (sigmoid network) and lab 4 (tanh network, BP)."""
from __future__ import annotations

from types import ModuleType

import numpy as np

from autograder import gradcheck
from autograder.checks.core import CheckFailed, Context, expect_dict_of_arrays, expect_returned, expect_unchanged

KEYS = ("W1", "b1", "W2", "b2")


def describe(name: str, params: dict, T: np.ndarray) -> str:
    return (f"{name} with {T.shape[0]} cases, {params['W1'].shape[1]} inputs, {params['W1'].shape[0]} hidden, "
            f"{T.shape[1]} outputs")


def check_backward(ctx: Context, name: str, cases: list, ref: ModuleType, ref_backward) -> None:
    """The student's `name(params, cache, T)` is the gradient of ref.loss(ref.forward(params, X)[0], T):

    1. against the reference gradient, with caches from the reference forward (so a wrong forward
       does not also cost these points), arguments unchanged;
    2. against finite differences of the reference loss (directional, seeded);
    3. with caches built from other weights: backprop reads its activations from the cache, while a
       backward that differentiates numerically or re-runs the forward pass does not."""
    rtol, atol = ctx.tol()
    rng = ctx.rng()
    consistent = [(p, ref.forward(p, X)[1], T) for p, X, T in cases]
    shifted = [(p, ref.forward({k: v + rng.normal(0, 1, v.shape) for k, v in p.items()}, X)[1], T)
               for p, X, T in cases[: max(3, len(cases) // 2)]]
    got, got_shifted = ctx.call_many([(name, consistent), (name, shifted)])
    for (params, cache, T), ret in zip(consistent, got):
        what = describe(name, params, T)
        expect_dict_of_arrays(expect_returned(ret, what), ref_backward(params, cache, T), what, rtol=rtol, atol=atol)
        expect_unchanged(ret, (params, cache, T), what)
    for (params, cache, T), ret in list(zip(consistent, got))[:3]:
        ok, err = gradcheck.directional_check(lambda p: ref.loss(ref.forward(p, cache["X"])[0], T), params,
                                              ret.value, n_directions=2, rng=ctx.rng("fd"), rtol=1e-4, atol=1e-7)
        if not ok:
            raise CheckFailed(f"{name}: disagrees with finite differences of the loss (relative error {err:.2g})")
    for (params, cache, T), ret in zip(shifted, got_shifted):
        grads = expect_returned(ret, name)
        want = ref_backward(params, cache, T)
        if not isinstance(grads, dict) or not all(
                isinstance(grads.get(k), np.ndarray) and grads[k].shape == want[k].shape
                and np.allclose(grads[k], want[k], rtol=rtol, atol=atol) for k in KEYS):
            raise CheckFailed(f"{name} does not use the activations in cache: backprop must reuse cache['H'] "
                              "and cache['Y'] from the forward pass (the chain rule), not differentiate "
                              "numerically or re-run the forward pass")
