"""The backward-pass checks shared by lab 3 (sigmoid network) and lab 4 (tanh network, BP and FA).

A backward pass is judged in three steps:

1. Every call returns a dict of the four gradients and leaves its arguments unchanged (else 0).
2. Backprop is recognised by how its cost grows (checks/cost.py): in proportion to the
   parameters and to the cases, in any style, whether it reads the activations from the cache or
   recomputes them from cache["X"] (both are backprop, shared/LABS.md); numerical
   differentiation's does not. Where time cannot tell, the row is flagged for a TA.
3. Each parameter's gradient is a part of its own (partial credit): against the reference with
   caches built by the reference forward (so a wrong forward does not also cost these points),
   and against finite differences of the reference loss along a seeded direction.
"""
from __future__ import annotations

from types import ModuleType
from typing import Callable

import numpy as np

from autograder import gradcheck
from autograder.checks.core import (CheckFailed, Context, expect_close, expect_returned, expect_unchanged,
                                    judge_parts, tolerance_for)
from autograder.checks.cost import expect_backprop_cost

KEYS = ("W1", "b1", "W2", "b2")


def describe(name: str, params: dict, T: np.ndarray) -> str:
    return (f"{name} with {T.shape[0]} cases, {params['W1'].shape[1]} inputs, {params['W1'].shape[0]} hidden, "
            f"{T.shape[1]} outputs")


def expect_gradient_dicts(rets: list, calls: list[tuple], whats: list[str], keys=KEYS) -> list[dict]:
    """Every call returned a dict with the gradients of `keys` (the network's parameters) and left
    its arguments unchanged."""
    out = []
    for args, ret, what in zip(calls, rets, whats):
        grads = expect_returned(ret, what)
        if not isinstance(grads, dict) or set(grads) != set(keys):
            found = sorted(map(str, grads)) if isinstance(grads, dict) else type(grads).__name__
            raise CheckFailed(f"{what}: expected a dict with keys {list(keys)}, got {found}")
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
                agrees, err = gradcheck.directional_check(loss, params, grads, gradcheck.direction_in(params, key, rng),
                                                          **gradcheck.tolerances(ctx.tolerances))
                if not agrees:
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
    timed = expect_backprop_cost(ctx, name, ref, lambda p, X, T: (p, ref.forward(p, X)[1], T))
    timed_whats = [describe(name, args[0], args[2]) for args, _ in timed]
    got += expect_gradient_dicts([ret for _, ret in timed], [args for args, _ in timed], timed_whats)
    fd = [(lambda q, X=c["X"], T=T: ref.loss(ref.forward(q, X)[0], T), params) for params, c, T in calls[:3]]
    judge_gradients(ctx, got, [ref_backward(*args) for args in calls + [a for a, _ in timed]], whats + timed_whats,
                    fd=fd)


def forward_each(chains, params: list, calls: list[tuple], idx: list[int]) -> list[tuple]:
    """One round trip of the student's forward for the calls `idx` (each (params, X, ...)) of
    `chains` (checks/replay.py): [(i, (Y, cache) or None where it gave nothing usable, the
    Returned)], for the error-carried-forward checks of train."""
    out = []
    for i, ret in zip(idx, chains.call("forward", [(params[i], calls[i][1]) for i in idx])):
        v = ret.value if ret.status == "returned" else None
        out.append((i, v if isinstance(v, tuple) and len(v) == 2 and isinstance(v[1], dict) else None, ret))
    return out
