"""The backward-pass checks shared by lab 3 (sigmoid network) and lab 4 (tanh network, BP and FA).

A backward pass is judged in three steps:

1. Every call returns a dict of the four gradients and leaves its arguments unchanged (else 0).
2. Backprop is recognised by its cost: on a network of about 10^5 parameters, timed on the
   grader's clock, the call must take far less than the forward passes that numerical
   differentiation needs (one per parameter, two for central differences), in whatever form:
   around the cache or from X, forward, central or complex step. The call is stopped at the
   budget and, if it ran over, timed once more. Backprop costs about two
   forward passes, whether it reads the activations from the cache or recomputes them from
   cache["X"] (both are backprop, shared/LABS.md), even written with Python loops.
3. Each parameter's gradient is a part of its own (partial credit): against the reference with
   caches built by the reference forward (so a wrong forward does not also cost these points),
   and against finite differences of the reference loss along a seeded direction.
"""
from __future__ import annotations

import time
from types import ModuleType
from typing import Callable

import numpy as np

from autograder import gradcheck
from autograder.checks.core import (CheckFailed, Context, expect_close, expect_returned, expect_unchanged,
                                    judge_parts, tolerance_for)

KEYS = ("W1", "b1", "W2", "b2")

# The timing network: one case, 256 inputs, 320 hidden units, 50 outputs (98,290 parameters). One
# case makes the gap widest: backprop's cost grows with the cases, a numerical derivative's
# forward passes do not shrink below one per parameter.
COST_SHAPE = {"n_in": 256, "n_hidden": 320, "n_out": 50}
# The budget, in forward passes of the reference (timed here, just before): a quarter of the
# forward passes a forward difference needs, plus a fixed allowance for the round trip to the
# kernel. Measured on the 2-core grading machine (one reference forward ~ 10-20 us): vectorised
# backprop ~ 1 ms, backprop with Python loops over every weight ~ 0.1 s, budget ~ 0.6 s,
# numerical differentiation 2 s (the fastest forward difference) to 10 s (central, with copies).
# The round trip (parameters to the kernel, gradients back, each encoded and decoded as plain
# data) grows with the parameters, not with their square, and with the machine's load: it is
# timed here too, on the same data, and allowed TRANSPORT_FACTOR times over.
COST_FRACTION = 0.25
COST_ALLOWANCE = 0.3  # seconds
TRANSPORT_FACTOR = 4
ATTEMPTS = 2  # a call over budget is timed once more, so that a moment of load never fails backprop


def describe(name: str, params: dict, T: np.ndarray) -> str:
    return (f"{name} with {T.shape[0]} cases, {params['W1'].shape[1]} inputs, {params['W1'].shape[0]} hidden, "
            f"{T.shape[1]} outputs")


def cost_case(ctx: Context, ref: ModuleType) -> tuple[dict, np.ndarray, np.ndarray]:
    """(params, X, T) of the timing network, seeded by the course secret."""
    rng = ctx.rng("cost")
    d, h, k = COST_SHAPE["n_in"], COST_SHAPE["n_hidden"], COST_SHAPE["n_out"]
    params = {"W1": rng.normal(0, 1 / np.sqrt(d), (h, d)), "b1": rng.normal(0, 0.5, h),
              "W2": rng.normal(0, 1 / np.sqrt(h), (k, h)), "b2": rng.normal(0, 0.5, k)}
    return params, rng.normal(0, 1, (1, d)), rng.uniform(0, 1, (1, k))


def forward_seconds(ref: ModuleType, params: dict, X: np.ndarray, repeats: int = 30) -> float:
    """The fastest of `repeats` reference forward passes, on the grader's clock."""
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        ref.forward(params, X)
        best = min(best, time.perf_counter() - start)
    return best


def transport_seconds(params: dict) -> float:
    """One encode and decode of `params` as plain data, on the grader's clock (a round trip moves
    about twice that: the parameters in, the gradients out)."""
    import json

    from autograder.kernel import inside
    from autograder.kernel.boundary import decode

    start = time.perf_counter()
    decode(json.loads(json.dumps(inside.encode(params))))
    return time.perf_counter() - start


def expect_backprop_cost(ctx: Context, name: str, ref: ModuleType, args: tuple) -> object:
    """Call `name(*args)` on the timing network and fail unless it costs what backprop costs.
    Returns the call's Returned (its values are judged with the other cases)."""
    params, X = args[0], args[1]["X"]
    n_params = sum(v.size for v in params.values())
    for _ in range(ATTEMPTS):
        fwd = forward_seconds(ref, params, X)
        budget = COST_FRACTION * n_params * fwd + TRANSPORT_FACTOR * 2 * transport_seconds(params) + COST_ALLOWANCE
        start = time.perf_counter()
        # timed: once, and stopped at the budget: how far over it a call would have gone does not
        # change the verdict, and a numerical derivative would take many budgets to finish
        ret = ctx.call(name, [args], timeout=budget, again=0)[0]
        elapsed = time.perf_counter() - start
        if ret.status != "returned" and ret.status != "timeout":
            expect_returned(ret, f"{name} on a network of {n_params:,} parameters")
        if ret.status == "returned" and elapsed <= budget:
            return ret
    took = "did not finish in time" if ret.status == "timeout" else f"took {elapsed:.2f} s"
    raise CheckFailed(
        f"{name} {took} on a network of {n_params:,} parameters with one case, where the budget was "
        f"{budget:.2f} s: backprop costs about two forward passes ({2 * fwd * 1e3:.2g} ms here), "
        f"numerical differentiation one forward pass per parameter ({n_params * fwd:.1f} s or more). "
        "Compute the gradient by the chain rule (backprop), not by finite differences or a complex step.")


def expect_gradient_dicts(rets: list, calls: list[tuple], whats: list[str]) -> list[dict]:
    """Every call returned a dict with the four keys and left its arguments unchanged."""
    out = []
    for args, ret, what in zip(calls, rets, whats):
        grads = expect_returned(ret, what)
        if not isinstance(grads, dict) or set(grads) != set(KEYS):
            keys = sorted(map(str, grads)) if isinstance(grads, dict) else type(grads).__name__
            raise CheckFailed(f"{what}: expected a dict with keys {list(KEYS)}, got {keys}")
        expect_unchanged(ret, args, what)
        out.append(grads)
    return out


def judge_gradients(ctx: Context, got: list[dict], wants: list[dict], whats: list[str], *,
                    fd: list[tuple[Callable, dict]] = (), hints: dict | None = None) -> None:
    """One part per parameter: every case's gradient of that parameter against `wants`, then
    against finite differences of the losses in `fd` ((loss of params, params) pairs, matched with
    the first cases) along a seeded direction in that parameter only."""
    hints = hints or {}

    def part(key):
        def judge():
            for grads, want, what in zip(got, wants, whats):
                rtol, atol = tolerance_for(ctx, grads[key])
                hint = hints.get(key, lambda g, w: "")(grads[key], want[key])
                expect_close(grads[key], want[key], f"{what}: {key}", rtol=rtol, atol=atol, hint=hint)
            rng = ctx.rng("fd" + key)
            for (loss, params), grads, what in zip(fd, got, whats):
                v = {k: (rng.standard_normal(x.shape) if k == key else np.zeros(x.shape)) for k, x in params.items()}
                v[key] /= np.linalg.norm(v[key]) or 1.0
                analytic = float(np.sum(np.asarray(grads[key], dtype=float) * v[key]))
                numeric = gradcheck.directional_derivative(loss, params, v)
                err = abs(analytic - numeric) / max(1e-7, abs(analytic) + abs(numeric))
                if abs(analytic - numeric) > 1e-7 and err > 1e-4:
                    raise CheckFailed(f"{what}: {key} disagrees with finite differences of the loss "
                                      f"(relative error {err:.2g})")
        return judge

    judge_parts([(key, 1.0, part(key)) for key in KEYS])


def check_backward(ctx: Context, name: str, cases: list, ref: ModuleType, ref_backward) -> None:
    """The student's `name(params, cache, T)` is the gradient of ref.loss(ref.forward(params, X)[0], T),
    computed by backprop (see the module's docstring). One part per parameter."""
    calls = [(p, ref.forward(p, X)[1], T) for p, X, T in cases]
    whats = [describe(name, p, T) for p, _, T in calls]
    got = expect_gradient_dicts(ctx.call(name, calls), calls, whats)
    p, X, T = cost_case(ctx, ref)
    timed = (p, ref.forward(p, X)[1], T)
    timed_what = describe(name, p, T)
    got += expect_gradient_dicts([expect_backprop_cost(ctx, name, ref, timed)], [timed], [timed_what])
    fd = [(lambda q, X=c["X"], T=T: ref.loss(ref.forward(q, X)[0], T), params) for params, c, T in calls[:3]]
    judge_gradients(ctx, got, [ref_backward(*args) for args in calls + [timed]], whats + [timed_what], fd=fd)


def forward_each(ctx: Context, params: list, calls: list[tuple], idx: list[int]) -> list[tuple]:
    """One round trip of the student's forward for the calls `idx` (each (params, X, ...)):
    [(i, (Y, cache) or None where it gave nothing usable, the Returned)], for the error-carried-
    forward checks of train that drive the student's own parts step by step."""
    out = []
    for i, ret in zip(idx, ctx.call("forward", [(params[i], calls[i][1]) for i in idx], again=0)):
        v = ret.value if ret.status == "returned" else None
        out.append((i, v if isinstance(v, tuple) and len(v) == 2 and isinstance(v[1], dict) else None, ret))
    return out
