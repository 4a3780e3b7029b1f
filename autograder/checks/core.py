"""What a hidden check is, and the few helpers every check uses.

A check is a plain function `check(ctx)` registered under its lab and the grade_id of the graded
cell it scores. It draws inputs (hypothesis, seeded by the course secret), asks `ctx.call` for the
student's results (plain data reported by the kernel), compares them with the reference in this
process, and raises CheckFailed with a message a student can act on. Returning means full points.

The same check runs in two places: at grading, `ctx.call` goes to the sandboxed kernel; in the
instructor's notebook (`run_here`), it calls the functions in the notebook's own namespace after
the same plain-data round trip.
"""
from __future__ import annotations

import copy
import dataclasses
import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.configuration import set_hypothesis_home_dir

from autograder.kernel.boundary import NoSecondResult, Returned

__all__ = ["CheckFailed", "PartialCredit", "Returned", "Context", "KernelFunction", "check", "CHECKS",
           "expect_returned", "expect_array", "expect_close", "expect_float", "expect_unchanged",
           "expect_dict_of_arrays", "expect_answer", "expect_choice", "draw_cases", "judge_parts",
           "tolerance_for"]

# grade_id -> check, per lab: filled by @check in the lab modules (autograder/checks/labN_*.py)
CHECKS: dict[str, dict[str, Callable[["Context"], None]]] = {}

# Hypothesis keeps caches (constants it saw in the source) in ./.hypothesis: never in the course
# folders, which nbgrader would copy into release/ and the kernel's working folder.
if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    set_hypothesis_home_dir(os.path.join(tempfile.gettempdir(), "autograder-hypothesis"))

settings.register_profile(
    "grading", database=None, deadline=None, derandomize=False, print_blob=False,
    phases=(Phase.explicit, Phase.generate), suppress_health_check=list(HealthCheck),
)


class CheckFailed(AssertionError):
    """The student's work fails this check; the message is shown to the student."""


class PartialCredit(CheckFailed):
    """Some independent parts of the check pass: `fraction` (in [0, 1)) of the cell's points."""

    def __init__(self, fraction: float, message: str):
        super().__init__(message)
        self.fraction = float(fraction)


def judge_parts(parts, *, what: str = "") -> None:
    """Judge independent parts of one check: `parts` is a list of (name, weight, judge), each
    judge a function that raises CheckFailed. All pass: return (full points); none: CheckFailed;
    some: PartialCredit with the weight that passed, and every failed part's message."""
    total = sum(w for _, w, _ in parts)
    earned, failures = 0.0, []
    for name, weight, judge in parts:
        try:
            judge()
        except PartialCredit as exc:
            earned += weight * exc.fraction
            failures.append(str(exc))
        except CheckFailed as exc:
            failures.append(str(exc))
        else:
            earned += weight
    if not failures:
        return
    message = "\n".join(failures)
    if earned <= 0:
        raise CheckFailed(message)
    raise PartialCredit(earned / total, message)


@dataclass(frozen=True)
class KernelFunction:
    """A function passed as an argument to student code (e.g. `fun` of numerical_gradient).

    Its source is evaluated both in the kernel and in the grader, with numpy as `np` and the
    arrays in `bind` as names."""
    source: str
    bind: dict = field(default_factory=dict)

    def spec(self) -> dict:
        return {"__callable__": self.source, "bind": dict(self.bind)}

    def build(self) -> Callable:
        scope = {"np": np, "numpy": np, **self.bind}
        return eval(self.source, scope)  # noqa: S307 - source written by the course


def check(lab: str, grade_id: str):
    """Register `fn` as the check that scores the graded cell `grade_id` of `lab`."""
    def register(fn):
        CHECKS.setdefault(lab, {})
        if grade_id in CHECKS[lab]:
            raise ValueError(f"two checks for {lab}/{grade_id}")
        CHECKS[lab][grade_id] = fn
        return fn
    return register


def case_seed(secret: str, lab: str, grade_id: str, salt: str = "") -> int:
    digest = hashlib.sha256(f"{secret}\0{lab}\0{grade_id}\0{salt}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


_DRAWN: dict = {}


def draw_cases(strategy, *, n: int, seed_value: int, explicit: Sequence = ()) -> list:
    """`explicit` edge cases, then up to `n` examples drawn from `strategy` under the grading
    profile: the same list for the same seed, on every machine and run.

    The draws are kept per process (keyed by seed, n and the strategy's repr) and handed out as
    deep copies: a grading worker draws each check's inputs once for the whole class."""
    key = (seed_value, n, repr(strategy))
    if key in _DRAWN:
        return copy.deepcopy(list(explicit) + _DRAWN[key])
    drawn: list = []

    @settings(settings.get_profile("grading"), max_examples=max(1, n))
    @seed(seed_value)
    @given(strategy)
    def collect(case):
        drawn.append(case)

    collect()
    _DRAWN[key] = drawn[:n]
    return copy.deepcopy(list(explicit) + drawn[:n])


def _course_tolerances() -> dict:
    """course.toml's [tolerances]: the one table of them (used when a caller passes none)."""
    from autograder import course as course_mod

    return course_mod.load().tolerances


class Context:
    """What a check may use: seeded inputs, the student's results, the tolerances."""

    def __init__(self, *, lab: str, grade_id: str, secret: str, n_examples: int,
                 caller: Callable[[list[dict]], list[list[Returned]]],
                 tolerances: dict | None = None):
        self.lab, self.grade_id = lab, grade_id
        self.secret, self.n_examples = secret, n_examples
        self._caller = caller
        self.tolerances = tolerances or _course_tolerances()
        self.flags: list[tuple[str, str]] = []  # (flag for grades.csv, note for a TA)

    def flag(self, name: str, note: str) -> None:
        """Flag the row for a TA (grades.csv `flags`), with what the check measured (TA notes only)."""
        self.flags.append((name, note))

    # inputs ---------------------------------------------------------------------------------
    def cases(self, strategy, *, explicit: Sequence = (), n: int | None = None, salt: str = "") -> list:
        return draw_cases(strategy, n=self.n_examples if n is None else n,
                          seed_value=case_seed(self.secret, self.lab, self.grade_id, salt), explicit=explicit)

    def rng(self, salt: str = "") -> np.random.Generator:
        return np.random.default_rng(case_seed(self.secret, self.lab, self.grade_id, "rng" + salt))

    def tol(self, dtype="float64") -> tuple[float, float]:
        entry = self.tolerances.get(np.dtype(dtype).name, self.tolerances["float64"])
        return float(entry["rtol"]), float(entry["atol"])

    # the student's results ------------------------------------------------------------------
    def call(self, name: str, cases: Sequence[tuple], *, copy_args: bool = False,
             timeout: float | None = None, again: int = 1, fresh: bool = False) -> list[Returned]:
        """The student's `name(*args)` for every args tuple in `cases`, in one round trip.
        `timeout` (seconds) asks the caller to stop this round trip sooner than its own limit.
        The first `again` cases are called twice, for expect_unchanged: a call whose results it
        does not judge (a timed call, the student's own parts driven step by step, a long
        training run judged by its result) passes 0. `fresh`: in a clean state, the kernel
        restarted and the student's cells replayed first (nothing the functions remember from
        earlier checks carries over; the caller of run_here has no kernel to restart)."""
        return self.call_many([(name, list(cases), copy_args)], timeout=timeout, again=again, fresh=fresh)[0]

    def call_many(self, requests: Sequence[tuple], *, timeout: float | None = None,
                  again: int = 1, fresh: bool = False) -> list[list[Returned]]:
        """Several (name, cases[, copy_args]) requests in one round trip to the kernel."""
        encoded, copies = [], []  # copies: (request, case, index of its request on fresh copies)
        for r, req in enumerate(requests):
            name, cases = req[0], list(req[1])
            copy_args = req[2] if len(req) > 2 else False
            twice = 0 if copy_args or any(_holds_generator(a) for a in cases[:again]) else again
            varies = [_varied(args) for args in cases[:twice]]
            encoded.append({"name": name, "kind": "call", "copy_args": copy_args, "again": twice,
                            "again_vary": varies, "cases": [tuple(_to_spec(a) for a in args) for args in cases]})
            if timeout is not None:
                encoded[-1]["timeout"] = float(timeout)
            for c, vary in enumerate(varies):
                if vary:
                    copies.append((r, c, len(requests) + len(copies)))
        for r, c, _ in copies:  # the second calls again, on fresh copies (never objects the first saw)
            args = copy.deepcopy(tuple(requests[r][1])[c])
            vary = encoded[r]["again_vary"][c]
            encoded.append({"name": requests[r][0], "kind": "call", "copy_args": False, "again": 0,
                            "cases": [tuple(_to_spec(vary.get(j, a)) for j, a in enumerate(args))]})
        if fresh and encoded:
            encoded[0]["fresh"] = True
        got = self._caller(encoded)
        for r, c, f in copies:
            if r < len(got) and c < len(got[r]) and f < len(got) and got[f]:
                got[r][c] = dataclasses.replace(got[r][c], fresh=got[f][0])
        return got[:len(requests)]

    def value(self, name: str) -> Returned:
        """The value the notebook gave the name `name` (an answer such as q1)."""
        return self._caller([{"name": name, "kind": "value", "cases": [()]}])[0][0]


def tolerance_for(ctx: "Context", got) -> tuple[float, float]:
    """(rtol, atol) for a returned value: by its dtype when it is a float array (float32 inside
    earns float32's tolerance), else float64's."""
    if isinstance(got, np.ndarray) and got.dtype.kind == "f":
        return ctx.tol(got.dtype)
    return ctx.tol()


def _varied(args: tuple) -> dict:
    """{position: value} of the arguments a second call changes: every float (a learning rate, a
    step size), halved. The other arguments are the objects the first call had: a function that
    changed them gives another result than on fresh copies, and a memo of its first call cannot
    answer a call it has not seen."""
    return {i: a * 0.5 if a else 0.5 for i, a in enumerate(args) if type(a) is float and np.isfinite(a)}


def _holds_generator(value) -> bool:
    """A random generator among the arguments: a second call draws other numbers by design."""
    if isinstance(value, (np.random.Generator, np.random.RandomState)):
        return True
    if isinstance(value, dict):
        return any(_holds_generator(v) for v in value.values())
    if isinstance(value, (tuple, list)):
        return any(_holds_generator(v) for v in value)
    return False


def _to_spec(value):
    if isinstance(value, KernelFunction):
        return value.spec()
    if isinstance(value, dict):
        return {k: _to_spec(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_to_spec(v) for v in value)
    if isinstance(value, list):
        return [_to_spec(v) for v in value]
    return value


# judging helpers: each raises CheckFailed with a message that names what is wrong -----------------

def expect_returned(ret: Returned, what: str) -> Any:
    if ret.status == "returned":
        return ret.value
    if ret.status == "not_implemented":
        raise CheckFailed(f"{what}: not implemented yet (it raises NotImplementedError)")
    if ret.status == "missing":
        raise CheckFailed(f"{what}: not defined in the notebook")
    if ret.status == "raised":
        raise CheckFailed(f"{what}: raised {ret.error_type}: {ret.message}")
    if ret.status == "timeout":
        raise CheckFailed(f"{what}: took longer than the time limit")
    raise CheckFailed(f"{what}: the kernel stopped while running it ({ret.message})")


def _fmt(x) -> str:
    return f"{x:.6g}" if isinstance(x, (float, np.floating)) else repr(x)


def expect_array(got, what: str, *, shape=None, dtype_kind: str = "f") -> np.ndarray:
    if not isinstance(got, np.ndarray):
        if isinstance(got, (float, int)) and not isinstance(got, bool) and shape == ():
            got = np.asarray(got, dtype=float)
        else:
            raise CheckFailed(f"{what}: expected a numpy array, got {type(got).__name__} {got!r:.80}")
    # values are graded as values (shared/LABS.md names no dtype for them): integers and booleans
    # (relu_prime's z > 0) holding the right numbers are right
    if got.dtype.kind not in dtype_kind and not (dtype_kind == "f" and got.dtype.kind in "iub"):
        raise CheckFailed(f"{what}: expected a float array, got dtype {got.dtype}")
    if shape is not None and tuple(got.shape) != tuple(shape):
        raise CheckFailed(f"{what}: expected shape {tuple(shape)}, got {tuple(got.shape)}")
    return got


def expect_close(got, want, what: str, *, rtol: float = 1e-6, atol: float = 1e-9, hint: str = "") -> None:
    """`got` (decoded plain data) equals the reference array `want` entry by entry."""
    want = np.asarray(want, dtype=float)
    got = expect_array(got, what, shape=want.shape)
    got = got.astype(float)
    if not np.all(np.isfinite(got) | ~np.isfinite(want)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(got))[0])
        raise CheckFailed(f"{what}: got {got[bad]} at entry {bad}: overflow or division by zero?")
    wrong = ~np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
    if wrong.any():
        err = np.where(wrong, np.abs(got - want), -1.0)
        idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(err)), want.shape)) if want.ndim else ()
        where = f" at entry {idx}" if want.ndim else ""
        msg = f"{what} is wrong{where}: expected {_fmt(want[idx])}, got {_fmt(got[idx])}"
        w, g = want[idx], got[idx]
        if not hint:
            if np.isclose(g, -w, rtol=rtol, atol=atol):
                hint = "a sign error?"
            elif w != 0 and np.isclose(g, 2 * w, rtol=rtol):
                hint = "a factor of 2 too large?"
            elif w != 0 and np.isclose(2 * g, w, rtol=rtol):
                hint = "a factor of 2 too small?"
        raise CheckFailed(msg + (f": {hint}" if hint else "") + where_wrong(got, want, wrong))


GRID_MAX_SIDE = 8  # arrays up to this many rows and columns get a picture of their wrong entries


def where_wrong(got: np.ndarray, want: np.ndarray, wrong: np.ndarray) -> str:
    """Where an array is wrong, beyond its worst entry: how many entries, a pattern (everything
    off by one factor, one row, one column), and for small arrays a grid (x wrong, . right)."""
    if want.ndim == 0 or want.size == 1:
        return ""
    n_wrong, notes = int(wrong.sum()), []
    notes.append(f"{n_wrong} of {want.size} entries {'is' if n_wrong == 1 else 'are'} wrong")
    with np.errstate(all="ignore"):
        ratio = got[want != 0] / want[want != 0]
    if n_wrong == want.size and ratio.size == want.size and np.allclose(ratio, ratio[0], rtol=1e-6) \
            and np.isfinite(ratio[0]):
        notes.append(f"every entry is {ratio[0]:.4g} times the right value")
    elif want.ndim == 2 and want.shape[0] > 1 and want.shape[1] > 1:
        rows, cols = np.nonzero(wrong.any(axis=1))[0], np.nonzero(wrong.any(axis=0))[0]
        if len(rows) == 1 and n_wrong > 1:
            notes.append(f"all in row {rows[0]}" + (" (the whole row)" if wrong[rows[0]].all() else ""))
        elif len(cols) == 1 and n_wrong > 1:
            notes.append(f"all in column {cols[0]}" + (" (the whole column)" if wrong[:, cols[0]].all() else ""))
    grid = ""
    if want.ndim <= 2 and all(side <= GRID_MAX_SIDE for side in want.shape):
        lines = [" ".join("x" if w else "." for w in row) for row in np.atleast_2d(wrong)]
        grid = "\n  " + "\n  ".join(lines)
    return " (" + "; ".join(notes) + ")" + (f"; wrong entries (x):{grid}" if grid else "")


def expect_float(got, want: float, what: str, *, rtol: float = 1e-6, atol: float = 1e-9, hint: str = "") -> None:
    if isinstance(got, np.ndarray) and got.shape == ():
        got = float(got)
    if isinstance(got, bool) or not isinstance(got, (float, int, np.floating)):
        raise CheckFailed(f"{what}: expected a number, got {type(got).__name__} {got!r:.80}")
    expect_close(np.asarray(float(got)), np.asarray(want), what, rtol=rtol, atol=atol, hint=hint)


def expect_dict_of_arrays(got, want: dict, what: str, *, rtol: float = 1e-6, atol: float = 1e-9) -> None:
    if not isinstance(got, dict):
        raise CheckFailed(f"{what}: expected a dict with keys {sorted(want)}, got {type(got).__name__}")
    if set(got) != set(want):
        raise CheckFailed(f"{what}: expected keys {sorted(want)}, got {sorted(map(str, got))}")
    for key in want:
        expect_close(got[key], want[key], f"{what}: {key}", rtol=rtol, atol=atol)


def expect_answer(ret: Returned, question: str):
    """The value a quiz answer was given in the notebook."""
    if ret.status == "missing":
        raise CheckFailed(f"{question}: not answered (the notebook defines no {question})")
    return expect_returned(ret, question)


def expect_choice(ret: Returned, question: str, want: str, *, hint: str = "") -> None:
    """A multiple-choice answer: one letter a-d as a string, case and spaces ignored."""
    got = expect_answer(ret, question)
    if not isinstance(got, str) or got.strip().lower() not in ("a", "b", "c", "d"):
        raise CheckFailed(f'{question}: answer with one letter as a string, such as "a"; got {got!r:.60}')
    if got.strip().lower() != want:
        raise CheckFailed(f"{question}: not the right answer" + (f"; {hint}" if hint else ""))


def expect_unchanged(ret: Returned, args: tuple, what: str) -> None:
    """The student's function left its arguments as they were, judged in the grader: the
    arguments as the kernel reports them after the call (a quick, precise message for an honest
    kernel; a student who rewrites the kernel's replies can forge it, so it can only fail), and
    for the first case of a request, a second call on the same objects. Where the arguments hold
    floats, that second call halves them and is compared with the same call on fresh copies made
    in a separate request: a function that changed its arguments gives another result, and a
    memo of its first call cannot answer a call it has not seen. Otherwise it is compared with
    the first result."""
    after = ret.args_after
    if not isinstance(after, tuple) or len(after) != len(args):
        raise CheckFailed(f"{what}: could not confirm that the arguments were left unchanged")
    for i, (before, now) in enumerate(zip(args, after)):
        if not _same(before, now):
            raise CheckFailed(f"{what}: modifies its argument number {i + 1}; "
                              "return new arrays instead of changing the ones passed in")
    if isinstance(ret.again, NoSecondResult) and not ret.again.why:
        return  # none asked for
    if isinstance(ret.fresh, Returned):  # arguments were varied: judged against fresh copies
        if ret.fresh.status == "raised" and isinstance(ret.again, NoSecondResult) and \
                ret.again.why == f"raised {ret.fresh.error_type}":
            return  # the varied call fails alike on fresh copies: nothing to compare
        if ret.fresh.status == "returned" and not isinstance(ret.again, NoSecondResult) and \
                _same(ret.fresh.value, ret.again, close=True):
            return
        second = ret.again.why if isinstance(ret.again, NoSecondResult) else "returned something else"
        raise CheckFailed(f"{what}: called a second time on the objects it was given (its numbers halved), it "
                          f"{second} than on fresh copies of them: it changes its arguments (or keeps something "
                          "between calls); return new arrays instead of changing the ones passed in")
    if isinstance(ret.again, NoSecondResult) or not _same(ret.value, ret.again, close=True):
        second = ret.again.why if isinstance(ret.again, NoSecondResult) else "returned something else"
        raise CheckFailed(f"{what}: called a second time on the same arguments, it {second}: it changes "
                          "its arguments (or keeps something between calls); return new arrays instead "
                          "of changing the ones passed in")


def _same(a, b, close: bool = False) -> bool:
    """`a` and `b` hold the same values (`close`: up to rounding, as two runs of one computation
    may differ in the last bits)."""
    if isinstance(a, KernelFunction):
        return True
    if isinstance(a, np.ndarray):
        if not (isinstance(b, np.ndarray) and a.shape == b.shape):
            return False
        if close and a.dtype.kind in "fc" and b.dtype.kind in "fc":
            return bool(np.allclose(a, b, rtol=1e-9, atol=1e-12, equal_nan=True))
        return bool(np.array_equal(a, b, equal_nan=True))
    if isinstance(a, dict):
        return isinstance(b, dict) and set(a) == set(b) and all(_same(a[k], b[k], close) for k in a)
    if isinstance(a, (tuple, list)):
        return isinstance(b, (tuple, list)) and len(a) == len(b) and all(_same(x, y, close) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (np.isnan(a) and np.isnan(b)) or (close and bool(np.isclose(a, b, rtol=1e-9, atol=1e-12)))
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - decoded plain data only; anything odd is not the same
        return False


def expect_either(judge: Callable[[Any], None], reference, own: Callable[[], Any] | None = None,
                  *, own_note: str = "") -> None:
    """Error carried forward (shared/LABS.md): `judge(want)` raises CheckFailed unless the
    student's result equals `want`. It passes against the reference result, or else against
    `own()`: what the student's own parts give (computed in the grader by calling them in the
    kernel step by step; None when they give nothing usable). The reference's message is kept."""
    try:
        judge(reference)
        return
    except CheckFailed as first:
        try:
            alternative = own() if own is not None else None
        except CheckFailed:
            raise first from None
        except Exception:  # noqa: BLE001 - the student's parts gave what no arithmetic takes (strings...)
            alternative = None
        if alternative is None:
            raise
        try:
            judge(alternative)
        except Exception:  # noqa: BLE001 - CheckFailed, or what the student's parts gave cannot be compared
            raise CheckFailed(str(first) + (f" (nor {own_note})" if own_note else "")) from None
