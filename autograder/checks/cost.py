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
with the times. A faster call is timed on `wide` and `narrow`, the same cases and the same weights
in each layer, next to 1,250 hidden units or to 50 (and 100 outputs): its time per parameter on one
over the other is 0.9-1.5 for backprop in any style we know, about 20 for a derivative taken unit
by unit through the layers above (slower on `wide`) or per parameter vectorised around the cache
(slower on `narrow`). From UNITS_NUMERICAL on: no points; between UNITS_BACKPROP and
UNITS_NUMERICAL, or too slow on both to tell: points given, flagged for a TA with the times. A call
that does not finish on `a` (A_LIMIT) runs past a time limit, as any call can: no points.

What it cannot see (docs/grading.md, "How backward is judged"): a derivative taken unit by unit that re-runs
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
          "wide": (32, 4, 1250, 4), "narrow": (32, 100, 50, 100)}
# `one` and `b`: the cases test, on a network small enough (6,172 parameters) that a forward pass is
# mostly numpy's per-call overhead, which numerical differentiation pays once per parameter
# whatever the cases (central differences and the complex step: 1.3-2x the time with 8 cases,
# with one or two BLAS threads), backprop in Python once per weight and case (a graph of scalars:
# 8-20x, its garbage collector seeing more objects)
CASES_B = SHAPES["b"][0]
# `wide` and `narrow`: the units test, 32 cases and the same weights in each layer (about 5,000 and 5,000,
# about 10,000 parameters), next to 1,250 hidden units (`wide`: 4 inputs, 4 outputs) or 50 (`narrow`:
# 100 inputs, 100 outputs). Backprop in any style costs cases x weights of each layer, the same on
# both, however it computes each layer (a loop over every weight of one layer and numpy for the
# other costs the same on both too). A derivative per hidden unit (dL/dz of each by the layers
# above) costs a pass through all hidden units per unit: about 20x more on `wide`; central differences
# vectorised around the cache cost cases x parameters x outputs: about 20x more on `narrow`.
GROWN = {"wide": "1,250 hidden units", "narrow": "50 hidden units, 100 outputs"}


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
UNITS_FLOOR = 0.03  # seconds: on the units test, times below this are the round trip's noise, counted as this
UNITS_BACKPROP = 3.0  # time per parameter on one of `wide` and `narrow` over the other's up to this:
                      # backprop (0.9-1.5x measured, Python loops over every weight included)
UNITS_NUMERICAL = 6.0  # from this on: numerical (a derivative per unit, central differences vectorised
                       # around the cache: about 20x); between the two, points given and the row
                       # flagged for a TA

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
    if a.seconds / (a.n_params * fwd_a) >= SLOW:  # a forward pass per parameter would fit
        _judge_growth_with_cases(ctx, name, timer, a, fwd_a)
    else:
        _judge_growth_with_units(ctx, name, timer)
    return timer.returned


def _judge_growth_with_cases(ctx: Context, name: str, timer: _Timer, a: Timing, fwd_a: float) -> None:
    """Slow enough on `a` for a forward pass per parameter: does the time grow with the cases?"""
    per_param_a = a.seconds / (a.n_params * fwd_a)  # in forward passes
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


def _judge_growth_with_units(ctx: Context, name: str, timer: _Timer) -> None:
    """Does its time grow with the units above each parameter? The same cases and weights per layer on
    `wide` (1,250 hidden units) and `narrow` (50, and 100 outputs): backprop costs the same on both,
    a numerical derivative far more on one of them (per unit on `wide`, per parameter on `narrow`)."""
    wide = timer.measure("wide", A_LIMIT)
    # `narrow` may run to twice the time per parameter that scores 0 (so that a call stopped there is
    # far past that line, whatever the load), never less than A_LIMIT nor more than three times it
    ratio = n_params(SHAPES["narrow"]) / wide.n_params
    twice = 2 * UNITS_NUMERICAL * ratio * max(wide.seconds, UNITS_FLOOR) + GRACE
    timings = {"wide": wide, "narrow": timer.measure("narrow", min(max(A_LIMIT, twice), 3 * A_LIMIT))}

    def per_param(t: Timing) -> float:  # a call stopped at its limit took at least the limit
        return max(t.seconds if t.finished else t.limit, UNITS_FLOOR) / t.n_params

    times = "; ".join(f"{t.describe()} ({GROWN[label]})" for label, t in timings.items())
    slower, faster = sorted(timings.values(), key=per_param, reverse=True)
    growth = per_param(slower) / per_param(faster)  # at least this where `slower` did not finish
    if growth >= UNITS_NUMERICAL and faster.finished:
        raise CheckFailed(
            f"{name}: {times}: its time per parameter on the {slower.label} network was "
            f"{'more than ' if not slower.finished else ''}{growth:.0f}x that on the {faster.label} one. Backprop's "
            "time per parameter is about the same on both (the same weights in each layer, within 2x in every "
            "style we know); numerical differentiation's (a pass through the layers above for every unit or "
            "parameter) grows with the hidden units or with the outputs, and that is how these times grew. "
            "Compute the gradient by the chain rule (backprop), not by finite differences or a complex step.")
    if growth > UNITS_BACKPROP or not faster.finished:
        ctx.flag(FLAG, f"{name}: {times}: its time per parameter on the {slower.label} network was "
                       f"{growth:.1f}x that on the {faster.label} one, between backprop's (up to {UNITS_BACKPROP:g}x) "
                       f"and numerical differentiation's ({UNITS_NUMERICAL:g}x or more), or too slow to tell; read it "
                       "(points given)")
