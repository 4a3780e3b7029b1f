"""Error carried forward: the student's own parts, chained as their `train` chains them.

A `train` (or `train_delta_rule`) that is wrong only because a part it builds on is wrong earns its
points when it gives what the student's own parts give, chained. Labs 2, 3 and 4 drive those chains
from here with `Chains`: several calls at once, one round trip per step for all of them, plain data
each way, and every chain started in a clean kernel (restarted, the student's cells replayed), so
nothing a part remembers from its own check carries over. A chain stops where a part gives nothing
usable; why it stopped (a part that raised) is kept.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np


class Chains:
    """The chains of the student's own parts for `calls` (tuples whose item `epochs_at` is the
    number of epochs): which still run, why each stopped, and the round trips that drive them."""

    def __init__(self, ctx, calls: Sequence[tuple], *, epochs_at: int, errors: list | None = None):
        self.ctx, self.calls, self.epochs_at = ctx, list(calls), epochs_at
        self.alive = [True] * len(self.calls)
        self.errors = errors if errors is not None else []
        self.errors[:] = [None] * len(self.calls)
        self._fresh = True  # the first round trip restarts the kernel

    def epochs(self) -> Iterator[tuple[int, list[int]]]:
        """(epoch, the calls still running that train this epoch), until none does."""
        for epoch in range(max((c[self.epochs_at] for c in self.calls), default=0)):
            idx = [i for i, c in enumerate(self.calls) if self.alive[i] and epoch < c[self.epochs_at]]
            if not idx:
                return
            yield epoch, idx

    def call(self, name: str, cases: Sequence[tuple]) -> list:
        return self.call_many([(name, list(cases))])[0]

    def call_many(self, requests: Sequence[tuple]) -> list[list]:
        """One round trip; the parts are called once each (again=0: their results are not judged here)."""
        fresh, self._fresh = self._fresh, False
        return self.ctx.call_many(requests, again=0, fresh=fresh)

    def stop(self, i: int, ret=None) -> None:
        """Chain i gave nothing usable; if a part raised, its (type, message) is why."""
        self.alive[i] = False
        if ret is not None and ret.status == "raised":
            self.errors[i] = (ret.error_type, ret.message)


def as_floats(seq, *, size_one: bool = False) -> np.ndarray | None:
    """A list of numbers (floats, ints, 0-d arrays; with `size_one` any one-element array) or a 1-d
    array as a float array; else None. A bool is not a number here."""
    if isinstance(seq, np.ndarray) and seq.ndim == 1:
        return seq.astype(float)
    if not isinstance(seq, (list, tuple)):
        return None
    values = []
    for x in seq:
        if isinstance(x, (float, int)) and not isinstance(x, bool):
            values.append(float(x))
        elif isinstance(x, np.ndarray) and (x.size == 1 if size_one else x.shape == ()):
            values.append(float(np.ravel(x)[0]))
        else:
            return None
    return np.array(values)
