"""The only grading code that runs inside the student's kernel.

It calls the student's functions on inputs chosen by the grader and writes what came back as
plain data (JSON: numbers, strings, lists, dicts, and arrays as dtype + shape + bytes). It decides
nothing: the grader decodes and validates that data and compares it with the reference. Whatever
the student's code does to this module only changes the data it reports, never a score.

Standard library and numpy only: the autograder package is not importable inside the sandbox.
"""
import base64
import copy
import json
import pickle
import sys

import numpy

REPLY_MIME = "application/x-autograder-reply+json"
RESERVE = 64 * 2**20  # bytes kept free for the reply (see run)
MAX_DEPTH = 8
MAX_ITEMS = 10_000
KEEP_BYTES = 256 * 2**20  # arguments kept alive across requests, at most this many bytes of arrays
KEPT = "__autograder_kept"  # where they are kept: in the student's namespace, which every request finds again


def materialize(value):
    """Turn the grader's callable specs ({"__callable__": source, "bind": {...}}) into functions."""
    if isinstance(value, dict) and "__callable__" in value:
        scope = {"np": numpy, "numpy": numpy}
        scope.update(value.get("bind", {}))
        return eval(value["__callable__"], scope)  # noqa: S307 - source written by the grader
    if isinstance(value, dict):
        return {k: materialize(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(materialize(v) for v in value)
    if isinstance(value, list):
        return [materialize(v) for v in value]
    return value


def encode(value, depth=0):
    """Plain data for `value`; anything else is reported by its type name, never trusted."""
    if depth > MAX_DEPTH:
        return {"t": "unsupported", "type": "nesting too deep"}
    kind = type(value)
    if value is None:
        return {"t": "none"}
    if kind is bool or kind is numpy.bool_:
        return {"t": "bool", "v": bool(value)}
    if kind is int:
        return {"t": "int", "v": value} if abs(value) < 2**62 else {"t": "float", "v": float(value)}
    if kind is float or kind in (numpy.float64, numpy.float32, numpy.float16):
        return {"t": "float", "v": repr(float(value)), "dtype": numpy.dtype(kind).name if kind is not float else "float"}
    if kind in (numpy.int64, numpy.int32, numpy.int16, numpy.int8, numpy.uint8):
        return {"t": "int", "v": int(value)}
    if kind is str:
        return {"t": "str", "v": value[:10_000]}
    if kind is numpy.ndarray:
        if value.dtype.kind not in "biuf" or value.size > 5_000_000:
            return {"t": "unsupported", "type": f"ndarray of {value.dtype} with {value.size} entries"}
        data = numpy.ascontiguousarray(value)  # at least 1-d: the shape comes from value itself
        return {"t": "ndarray", "dtype": data.dtype.str, "shape": list(value.shape),
                "b64": base64.b64encode(data.tobytes()).decode("ascii")}
    if kind is dict:
        if len(value) > MAX_ITEMS:
            return {"t": "unsupported", "type": "dict too large"}
        return {"t": "dict", "items": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
    if kind is tuple or kind is list:
        if len(value) > MAX_ITEMS:
            return {"t": "unsupported", "type": f"{kind.__name__} too large"}
        return {"t": kind.__name__, "items": [encode(v, depth + 1) for v in value]}
    if callable(value):
        return {"t": "callable"}
    return {"t": "unsupported", "type": kind.__name__[:100]}


def call_all(namespace, request):
    """Run every case of one request: {"name": ..., "kind": "call"|"value", "cases": [args, ...]}.
    The first `again` cases (the grader decides how many) are called a second time on the same
    objects, what the first call left of them, with the arguments in `again_vary` ({position:
    value}) replaced: the grader compares that result with the same call on fresh copies, made in
    a separate request (see checks.core.expect_unchanged)."""
    results = []
    target = namespace.get(request["name"], None)
    if request["kind"] == "value":
        if request["name"] not in namespace:
            return [{"status": "missing"}]
        return [{"status": "returned", "value": encode(target)}]
    if target is None or not callable(target):
        return [{"status": "missing"} for _ in request["cases"]]
    again = request.get("again", 0)
    for i, args in enumerate(request["cases"]):
        args = materialize(args)
        keep(namespace, args)
        try:
            called = keep(namespace, copy.deepcopy(args)) if request.get("copy_args") else args
            returned = target(*called)
        except NotImplementedError as exc:
            results.append({"status": "not_implemented", "message": str(exc)[:500]})
            continue
        except (Exception, SystemExit) as exc:  # KeyboardInterrupt (a timeout) ends the request
            results.append({"status": "raised", "type": type(exc).__name__[:100], "message": str(exc)[:500]})
            continue
        reply = {"status": "returned", "value": encode(returned), "args_after": encode(tuple(args))}
        if i < again:
            # the second call: the same objects, what the first call left of them, except the
            # arguments the grader varies (a learning rate...), so that a memo of the first call
            # does not answer it
            vary = (request.get("again_vary") or [{}] * again)[i]
            probe = keep(namespace, [materialize(vary[j]) if j in vary else arg for j, arg in enumerate(args)])
            try:
                reply["again"] = encode(target(*probe))
            except (Exception, SystemExit) as exc:
                reply["again_raised"] = type(exc).__name__[:100]
        results.append(reply)
    return results


def keep(namespace, args):
    """Keep every argument alive for the kernel's life (the oldest dropped past KEEP_BYTES): a new
    object never takes the id() of an earlier one, so a part that remembers its inputs by id()
    behaves the same on every run, whatever the allocator reuses (run-to-run identical grades)."""
    kept = namespace.get(KEPT)
    if not (isinstance(kept, list) and len(kept) == 2 and isinstance(kept[0], list) and type(kept[1]) is int):
        kept = namespace[KEPT] = [[], 0]
    size = sum(a.nbytes for a in _arrays(args))
    kept[0].append((args, size))
    kept[1] += size
    while kept[1] > KEEP_BYTES and len(kept[0]) > 1:
        kept[1] -= kept[0].pop(0)[1]
    return args


def _arrays(value, depth=0):
    if isinstance(value, numpy.ndarray):
        yield value
    elif depth < MAX_DEPTH and isinstance(value, (list, tuple)):
        for v in value:
            yield from _arrays(v, depth + 1)
    elif depth < MAX_DEPTH and isinstance(value, dict):
        for v in value.values():
            yield from _arrays(v, depth + 1)


def run(namespace, request_b64):
    # the memory kept free at the kernel's start (RESERVE) is given back at the first request and
    # not taken again: after a memory bomb in the student's cells, the checks and their replies
    # still have room (zmq aborts the whole process when it cannot allocate)
    sys.__dict__.pop("__autograder_reserve", None)
    requests = pickle.loads(base64.b64decode(request_b64))  # from the grader to the kernel: trusted direction
    replies = [call_all(namespace, request) for request in requests]
    from IPython.display import publish_display_data
    text = json.dumps(replies)
    publish_display_data({REPLY_MIME: text})


if __name__ == "__main__":  # pragma: no cover - the grader sends this module's text instead
    sys.exit("inside.py is executed by the grader inside the student's kernel")
