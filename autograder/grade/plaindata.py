"""Decode what the kernel reported (kernel_side.encode) into numpy objects, validating everything.

This runs in the grading process on untrusted JSON: it never unpickles, never evaluates, checks
every dtype and shape, and turns anything unexpected into Unsupported, which no check accepts.
"""
from __future__ import annotations

import base64
import re
from dataclasses import dataclass

import numpy as np

MAX_ENTRIES = 50_000_000  # entries of one decoded array
_CONTROL = re.compile(r"[\ud800-\udfff\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def clean_text(text, limit: int = 2000, *, keep_newlines: bool = True) -> str:
    """Text from the kernel made safe for nbgrader, a gradebook and a page: a str, valid UTF-8
    (lone surrogates become U+FFFD), no control or bidi characters (newlines and tabs kept), at
    most `limit` characters."""
    if not isinstance(text, str):
        return ""
    text = text[: limit * 2]
    text = _CONTROL.sub("\ufffd", text if keep_newlines else text.replace("\n", " ").replace("\t", " "))
    return text[:limit]


ALLOWED_DTYPES = {"<f8", "<f4", "<f2", "<i8", "<i4", "<i2", "|i1", "|u1", "|b1", "<u8", "<u4", "<u2"}


@dataclass(frozen=True)
class Unsupported:
    """A value the kernel could not report as plain data (a lying object, a custom class...)."""
    type: str

    def __repr__(self) -> str:
        return f"<{self.type}>"


class Callable_:
    """A function that the kernel reported (only arguments may hold one)."""

    def __repr__(self) -> str:
        return "<function>"


def decode(obj, depth: int = 0):
    """Never raises: anything malformed, however forged, is Unsupported."""
    try:
        return _decode(obj, depth)
    except Exception:  # noqa: BLE001 - a forged report must not reach the checks as an error
        return Unsupported("malformed report")


def _decode(obj, depth: int = 0):
    if depth > 10 or not isinstance(obj, dict):
        return Unsupported("malformed report")
    t = obj.get("t")
    if t == "none":
        return None
    if t == "bool":
        return bool(obj.get("v"))
    if t == "int":
        v = obj.get("v")
        return int(v) if type(v) is int and abs(v) < 2**63 else Unsupported("malformed int")
    if t == "float":
        try:
            v = float(obj.get("v"))
        except (TypeError, ValueError):
            return Unsupported("malformed float")
        return np.float32(v) if obj.get("dtype") == "float32" else float(v)
    if t == "str":
        v = obj.get("v")
        return clean_text(v, 10_000) if isinstance(v, str) else Unsupported("malformed str")
    if t == "ndarray":
        return _decode_array(obj)
    if t in ("tuple", "list"):
        items = obj.get("items")
        if not isinstance(items, list):
            return Unsupported("malformed sequence")
        values = [_decode(item, depth + 1) for item in items]
        return tuple(values) if t == "tuple" else values
    if t == "dict":
        items = obj.get("items")
        if not isinstance(items, list):
            return Unsupported("malformed dict")
        out = {}
        for pair in items:
            if not (isinstance(pair, list) and len(pair) == 2):
                return Unsupported("malformed dict")
            key = _decode(pair[0], depth + 1)
            if not isinstance(key, (str, int)):
                return Unsupported("dict with non-string keys")
            out[key] = _decode(pair[1], depth + 1)
        return out
    if t == "callable":
        return Callable_()
    if t == "unsupported":
        return Unsupported(clean_text(str(obj.get("type", "unknown")), 100, keep_newlines=False))
    return Unsupported("malformed report")


def _decode_array(obj) -> np.ndarray | Unsupported:
    dtype, shape, b64 = obj.get("dtype"), obj.get("shape"), obj.get("b64")
    if dtype not in ALLOWED_DTYPES or not isinstance(shape, list) or not isinstance(b64, str):
        return Unsupported("malformed array")
    if len(shape) > 8 or not all(type(n) is int and 0 <= n <= MAX_ENTRIES for n in shape):
        return Unsupported("malformed array shape")
    if len(b64) > MAX_ENTRIES * 12:
        return Unsupported("array too large")
    try:
        raw = base64.b64decode(b64, validate=True)
    except ValueError:
        return Unsupported("malformed array data")
    dt = np.dtype(dtype)
    count = 1
    for n in shape:  # Python ints: a shape claiming 2**64 entries does not overflow
        count *= n
    if count > MAX_ENTRIES or count * dt.itemsize != len(raw):
        return Unsupported("array data does not match its shape")
    return np.frombuffer(raw, dtype=dt).reshape(shape).copy()
