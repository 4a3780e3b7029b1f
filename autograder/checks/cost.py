"""How a gradient was computed, as far as its cost can tell (shared/LABS.md: `backward` is backprop,
and numerical differentiation in any form does not earn its points).

Time alone cannot see code, so this judges only what the time shows, on the grader's clock, each
call on a network drawn fresh from the course secret (nothing can be cached or replayed), the
first attempt counted (a call that runs past its limit is stopped and not retried):

- backprop, in any style (vectorised, Python loops over every weight, one example at a time, a
  graph of scalars), costs in proportion to the parameters times the cases: its time per
  parameter and case is the same on every network;
- numerical differentiation (forward, central or complex step, per parameter or per unit) costs a
  pass through the layers above per parameter or unit: its time per parameter grows with the
  network, and, its passes running over all cases at once, hardly grows with the cases.

The networks (SHAPES). First `a`. A call slow on `a` (half a forward pass per parameter or more,
where a numerical derivative would fit) is timed on `one`, a smaller network, and on `b`, one's
shape with CASES_B cases: a time that barely grows with the cases costs what numerical
differentiation costs (no points, the message gives the times); one that grows as backprop's
cannot be told apart from backprop with a graph of scalars, nor from a numerical derivative slowed
down on purpose: it earns its points and the row is flagged `gradient-method-unclear` for a TA,
with the times. A faster call is timed on `few`, `units` and `outputs`, the same cases, most
parameters next to a few hidden units (`few`) or to many (`units`, `outputs`): its time per
parameter on the last two over `few` is 0.2-2.1 for backprop in any style we know, more than 10
for a derivative taken unit by unit through the layers above (on `units`) or per parameter
vectorised around the cache (on `outputs`). From UNITS_NUMERICAL on (or past the limit it sets): no points; between UNITS_BACKPROP and
UNITS_NUMERICAL: points given, flagged for a TA with the times. A call that does not finish on `a`
(A_LIMIT) runs past a time limit, as any call can: no points.

What it cannot see (README, "How backward is judged"): a derivative taken unit by unit that re-runs
only the one unit's column through the layers above costs, per unit, what backprop costs per unit;
only its Python loop over the units is left to time, as a loop over the weights is in backprop.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from types import ModuleType
from typing import Callable

import numpy as np

from autograder.checks.core import CheckFailed, Context, Returned, expect_returned

# (cases, inputs, hidden, outputs). a: 21,445 parameters, few outputs so that central differences
# vectorised around the cache (their time grows with the outputs) stay far below SLOW there. Measured
# in the sandboxed kernel on the 2-core machine under a load of 6-14: vectorised backprop 0.003-0.02 s
# on a; Python loops over every weight 0.01-0.05; a graph of scalars (micrograd) about 1-2.5 (and 8x
# a's time with 8 cases); central differences per parameter 2-4, hardly more with 8 cases.
SHAPES = {"tiny": (1, 2, 2, 2), "a": (1, 128, 160, 5),
          "one": (1, 64, 80, 12), "b": (8, 64, 80, 12),
          "few": (128, 2000, 5, 1), "units": (128, 1, 1000, 10), "outputs": (128, 1, 50, 50)}
# `one` and `b`: the cases test, on a network small enough (6,172 parameters) that a forward pass is
# mostly numpy's per-call overhead, which numerical differentiation pays once per parameter
# whatever the cases (central differences and the complex step: 1.3-2x the time with 8 cases,
# with one or two BLAS threads), backprop in Python once per weight and case (a graph of scalars:
# 8-20x, its garbage collector seeing more objects)
CASES_B = SHAPES["b"][0]
# `few`, `units` and `outputs`: the units test, 128 cases and about 10,000 parameters each, most of
# them into 5 hidden units from 2,000 inputs (`few`), or out of 1,000 hidden units into 10 outputs
# (`units`); and 2,650 parameters, most of them out of 50 hidden units into 50 outputs (`outputs`).
# Backprop costs cases x parameters on all three (a loop over every weight about 2x more on the last
# two, its weights there indexed by two numbers). A derivative per unit (dL/dz of each hidden unit
# by the layers above) costs a pass through 1,000 units per unit on `units`; central differences
# vectorised around the cache cost cases x parameters x outputs, 50 outputs against few's one, on
# `outputs`. Many cases, so that arithmetic, not the round trip (the same 2,000 numbers a case on
# `few` and `units`, fewer on `outputs`), is most of the time.
GROWN = {"units": "1,000 hidden units", "outputs": "50 hidden units and 50 outputs"}


def n_params(shape: tuple) -> int:
    _, d, h, k = shape
    return h * d + h + k * h + k


A_LIMIT = 3.5  # seconds on `a`: a graph of scalars takes about 1 s there, Python loops 0.03 s; every
               # limit below derives from the time on `a`, and stays under the course's check_timeout
FLOOR = 0.01  # seconds: times below this are the round trip's noise, counted as this
REPEAT_BELOW = 1.0  # a call faster than this is timed up to REPEATS times (fresh networks), the least kept
REPEATS = 3
SLOW = 0.5  # forward passes per parameter: from here on a numerical derivative would fit in the time
CASES_GROWTH = 0.5  # time per case on `b` over `one` below this: hardly grows with the cases
CASES_LIMIT = 0.75  # `b` is stopped at this time per case (over `one`'s): past it, it grows as backprop's
GRACE = 0.5  # seconds added to every limit derived from a measurement (load moves times)
UNITS_FLOOR = 0.05  # seconds on `few` (in proportion to the parameters on the others): on the units
                    # test, times below this are the round trip's noise, counted as this
UNITS_BACKPROP = 5.0  # time per parameter on `units` or `outputs` over `few` up to this: backprop (a
                      # Python loop over every weight: about 2x, its weights there indexed by two numbers)
UNITS_NUMERICAL = 10.0  # from this on: numerical (a derivative per unit on `units`: ~18x unsandboxed,
                        # never finished within this limit in the sandbox; central differences vectorised
                        # around the cache on `outputs`: ~100x unsandboxed, 8-10x on `units`); between
                        # the two, points given and the row flagged for a TA

FLAG = "gradient-method-unclear"


@dataclass
class Timing:
    label: str
    n_cases: int
    n_params: int
    seconds: float = 0.0  # beyond the round trip's own time (the least of the repeats)
    limit: float = 0.0
    finished: bool = True

    def describe(self) -> str:
        cases = "one case" if self.n_cases == 1 else f"{self.n_cases} cases"
        took = f"{self.seconds:.3f} s" if self.finished else f"did not finish in {self.limit:.1f} s"
        return f"{self.n_params:,} parameters, {cases}: {took}"


def network(ctx: Context, shape: tuple, salt: str) -> tuple[dict, np.ndarray, np.ndarray]:
    """(params, X, T) of the given shape, drawn from the course secret and `salt`."""
    n, d, h, k = shape
    rng = ctx.rng("cost" + salt)
    params = {"W1": rng.normal(0, 1 / np.sqrt(d), (h, d)), "b1": rng.normal(0, 0.5, h),
              "W2": rng.normal(0, 1 / np.sqrt(h), (k, h)), "b2": rng.normal(0, 0.5, k)}
    return params, rng.normal(0, 1, (n, d)), rng.uniform(0, 1, (n, k))


def forward_seconds(ref: ModuleType, params: dict, X: np.ndarray, repeats: int = 30) -> float:
    """The fastest of `repeats` reference forward passes, on the grader's clock."""
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        ref.forward(params, X)
        best = min(best, time.perf_counter() - start)
    return best


class _Timer:
    """Calls `name` on fresh networks, one round trip each, and keeps what came back."""

    def __init__(self, ctx: Context, name: str, ref: ModuleType, args_for: Callable):
        self.ctx, self.name, self.ref, self.args_for = ctx, name, ref, args_for
        self.calls = 0
        self.returned: list[tuple[tuple, Returned]] = []
        self.round_trip = 0.0

    def once(self, label: str, limit: float) -> tuple[Returned, float, tuple]:
        self.calls += 1
        params, X, T = network(self.ctx, SHAPES[label], f"{self.name}{label}{self.calls}")
        args = self.args_for(params, X, T)
        start = time.perf_counter()
        ret = self.ctx.call(self.name, [args], timeout=limit, again=0)[0]
        return ret, time.perf_counter() - start, args

    def warm_up(self) -> None:
        """The round trip's own time: the least of three calls on a network of 12 parameters."""
        times = []
        for _ in range(3):
            ret, seconds, _ = self.once("tiny", A_LIMIT)
            if ret.status != "returned":
                return  # judged where it matters, on `a`
            times.append(seconds)
        self.round_trip = min(times)

    def measure(self, label: str, limit: float) -> Timing:
        timing = Timing(label, SHAPES[label][0], n_params(SHAPES[label]), limit=limit)
        best = np.inf
        for attempt in range(REPEATS):
            ret, seconds, args = self.once(label, self.round_trip + limit)
            if ret.status == "timeout" and attempt == 0:
                timing.finished = False
                return timing
            if ret.status != "returned":
                if attempt == 0:
                    expect_returned(ret, f"{self.name} on a network of {timing.n_params:,} parameters")
                break
            self.returned.append((args, ret))
            best = min(best, max(0.0, seconds - self.round_trip))
            if best >= REPEAT_BELOW:
                break
        timing.seconds = float(best)
        if os.environ.get("AUTOGRADER_COST_DEBUG"):  # for calibrating the constants above
            print(f"{self.name} {label}: {timing.describe()}")
        return timing


def expect_backprop_cost(ctx: Context, name: str, ref: ModuleType,
                         args_for: Callable[[dict, np.ndarray, np.ndarray], tuple]) -> list[tuple[tuple, Returned]]:
    """Time `name(*args_for(params, X, T))` on the networks of SHAPES and fail (CheckFailed) where
    the times grow as numerical differentiation's do; flag the row for a TA where they cannot tell.
    Returns the (args, Returned) of every timed call that returned, for their values to be judged."""
    timer = _Timer(ctx, name, ref, args_for)
    timer.warm_up()
    a = timer.measure("a", A_LIMIT)
    if not a.finished:
        raise CheckFailed(f"{name} did not finish in {A_LIMIT:g} s on a network of {a.n_params:,} parameters with "
                          "one case (backprop written as a graph of Python scalars, the slowest style we know, "
                          "takes about a second there)")
    fwd_a = forward_seconds(ref, *network(ctx, SHAPES["a"], "forward a")[:2])
    per_param_a = a.seconds / (a.n_params * fwd_a)  # in forward passes
    if per_param_a >= SLOW:  # a forward pass per parameter would fit: does the time grow with the cases?
        one = timer.measure("one", A_LIMIT)
        one_base = max(one.seconds, FLOOR)
        b = timer.measure("b", CASES_LIMIT * CASES_B * one_base + GRACE)  # past that limit it grows enough
        cases_growth = (b.seconds / b.n_cases) / (one_base / one.n_cases)
        if one.finished and b.finished and cases_growth < CASES_GROWTH:
            raise CheckFailed(
                f"{name}: {a.describe()} (about {per_param_a:.2g} forward passes per parameter); {one.describe()}; "
                f"{b.describe()}: its time grew {b.seconds / one_base:.1f}x with {CASES_B}x the cases. Backprop's time grows in proportion "
                "to the cases, in any style; numerical differentiation's (a forward pass per parameter, over all "
                "cases at once) hardly does, and that is how these times grew. Compute the gradient by the chain "
                "rule (backprop), not by finite differences or a complex step.")
        # grows as backprop's with the cases, and slow enough for a forward pass per parameter: a graph
        # of scalars looks like this (its time per parameter also creeps up with the network as
        # Python's garbage collector sees more objects, so growth with the network is not asked)
        ctx.flag(FLAG, f"{name}: {a.describe()}; {one.describe()}; {b.describe()}: its time grows with the cases as "
                       "backprop's does, "
                       f"but a forward pass there takes {fwd_a * 1e6:.0f} us, so one per parameter "
                       f"({a.n_params * fwd_a:.2f} s) fits in its time: backprop with a graph of scalars looks like "
                       "this, and so would a numerical derivative slowed down on purpose; read it (points given)")
        return timer.returned

    # does its time grow with the units above each parameter? The same cases and about the same
    # parameters on `few` (most weights into a few hidden units) and on `units` and `outputs` (most
    # weights out of many): backprop costs the same on all, a numerical derivative a pass through
    # the layers above per parameter or unit, many times more on the last two
    few = timer.measure("few", A_LIMIT)
    if not few.finished:
        ctx.flag(FLAG, f"{name}: {a.describe()}; {few.describe()}: so slow on 128 cases that how its time grows "
                       "with the units was not measured; read it (points given)")
        return timer.returned
    few_base = max(few.seconds, UNITS_FLOOR)
    unclear = []
    for label in GROWN:
        ratio = few.n_params / n_params(SHAPES[label])  # time per parameter, over few's
        grown = timer.measure(label, UNITS_NUMERICAL / ratio * few_base + GRACE)
        # the floor per parameter, as few's (`outputs` has a quarter of few's parameters)
        growth = max(grown.seconds, UNITS_FLOOR / ratio) / few_base * ratio if grown.finished else np.inf
        times = f"{few.describe()} ({SHAPES['few'][2]} hidden units); {grown.describe()} ({GROWN[label]})"
        if growth >= UNITS_NUMERICAL:
            grew = f"grew {growth:.0f}x" if grown.finished else f"grew more than {UNITS_NUMERICAL:g}x"
            raise CheckFailed(
                f"{name}: {times}: its time per parameter {grew}. Backprop's time per parameter changes little "
                "between these networks (about 2x at most, in every style we know); numerical "
                "differentiation's (a pass through the layers above for every parameter or unit) grows with the "
                "units above each parameter, and that is how these times grew. Compute the gradient by the "
                "chain rule (backprop), not by finite differences or a complex step.")
        if growth > UNITS_BACKPROP:
            unclear.append(f"{times}: its time per parameter grew {growth:.1f}x")
    if unclear:
        ctx.flag(FLAG, f"{name}: " + "; ".join(unclear) + f": between backprop's (up to {UNITS_BACKPROP:g}x, a loop "
                       f"over every weight about 2x) and numerical differentiation's ({UNITS_NUMERICAL:g}x or more); "
                       "read it (points given)")
    return timer.returned
