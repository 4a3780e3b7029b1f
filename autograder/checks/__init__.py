"""The hidden checks of every lab: `CHECKS[lab][grade_id]`, and how to run one.

`run_check` judges one graded cell given a caller (the kernel at grading, the notebook's own
namespace in `run_here`). Lab modules register their checks with @check on import.
"""
from __future__ import annotations

import importlib
import json
import pickle
import signal
import threading
import traceback
from typing import Callable

from autograder.checks.core import CHECKS, CheckFailed, Context, PartialCredit, Returned
from autograder.kernel.boundary import call_all, decode_replies

def checks_for(lab: str) -> dict:
    """The checks of any lab id the course lists: the module autograder/checks/<lab id>.py."""
    if lab not in CHECKS and lab.isidentifier():
        try:
            importlib.import_module(f"autograder.checks.{lab}")
        except ModuleNotFoundError as exc:
            if exc.name != f"autograder.checks.{lab}":
                raise
    return CHECKS.get(lab, {})


def run_check(lab: str, grade_id: str, *, caller: Callable, secret: str, n_examples: int,
              tolerances: dict | None = None, flags: list | None = None) -> tuple[float, str]:
    """(fraction of the cell's points in [0, 1], message) for one graded cell: 1.0 when the check
    returns, 0.0 when it raises CheckFailed, the part that passed when it raises PartialCredit.
    A bug in a check is reported, not hidden. `flags`: a list the check's (flag, note for a TA)
    pairs are appended to."""
    fn = checks_for(lab).get(grade_id)
    if fn is None:
        return 0.0, f"{grade_id}: the course has no check for this cell (tell your instructor)"
    ctx = Context(lab=lab, grade_id=grade_id, secret=secret, n_examples=n_examples, caller=caller,
                  tolerances=tolerances)
    if flags is not None:
        ctx.flags = flags
    try:
        fn(ctx)
    except PartialCredit as exc:
        return min(1.0, max(0.0, exc.fraction)), str(exc)
    except CheckFailed as exc:
        return 0.0, str(exc)
    except Exception:  # a bug in the check itself: never a silent pass
        return 0.0, f"{grade_id}: the check itself failed (tell your instructor):\n{traceback.format_exc(limit=3)}"
    return 1.0, ""


class _TimeLimit(BaseException):  # not caught as the student's own error
    pass


def in_process_caller(namespace: dict, *, timeout: float | None = None) -> Callable:
    """A caller that runs the requests in this process, with the same plain-data round trip.
    With `timeout` (seconds, main thread only; or a request's own shorter "timeout") a round trip
    that runs longer reports "timeout" for every case, as the kernel's caller does."""
    def caller(requests):
        private = pickle.loads(pickle.dumps(requests))  # as the kernel gets them: copies
        limit = min([timeout or float("inf")] + [r.get("timeout", float("inf")) for r in requests])
        if limit == float("inf") or threading.current_thread() is not threading.main_thread():
            replies = [call_all(namespace, r) for r in private]
        else:
            def expire(signum, frame):
                raise _TimeLimit()
            previous = signal.signal(signal.SIGALRM, expire)
            signal.setitimer(signal.ITIMER_REAL, limit)
            try:
                replies = [call_all(namespace, r) for r in private]
            except _TimeLimit:
                return [[Returned("timeout", message=f"ran past {limit:g} s")] * len(r["cases"]) for r in requests]
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
        return decode_replies(requests, json.loads(json.dumps(replies)))
    return caller


def run_here(lab: str, grade_id: str, namespace: dict) -> None:
    """Run a hidden check inside the instructor's notebook; raise AssertionError if it fails."""
    from autograder import course as course_mod

    course = course_mod.load()
    caller = in_process_caller(namespace, timeout=course.limits.check_timeout)
    fraction, message = run_check(lab, grade_id, caller=caller, secret=course.secret,
                                  n_examples=course.property_examples, tolerances=course.tolerances)
    if fraction < 1.0:
        raise AssertionError(f"{fraction:.0%} of the points: {message}" if fraction > 0 else message)
    print(f"{grade_id}: hidden checks pass")
