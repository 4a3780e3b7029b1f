"""Code a TA should look at: reaching into the interpreter or the grader. Flagged, not penalised:
the scores do not depend on the kernel's say-so, so these cannot earn points; a TA decides.

Student text is hostile, so the scan is linear in its length and capped: every pattern is one
pass (no nested or overlapping repeats: chains are matched possessively and only from their
start, whitespace never spans lines), and at most MAX_SCAN characters are read. A notebook with
more code than that is flagged for what could not be read, never scanned for longer."""
from __future__ import annotations

import re

MAX_SCAN = 1_000_000  # characters of student code scanned, all cells together (the scan is linear in them)

_H = r"[ \t]*"  # horizontal space: `\s*` would run over every blank line after each match start
_H1 = r"[ \t]+"
_NOT_AFTER_NAME = r"(?<![\w.])"  # a chain is matched from its start only: each start is tried once
PATTERNS = [
    (r"\bsys\.modules\b", "reaches into sys.modules"),
    (rf"^{_H}import{_H1}gc\b|\bgc\.get_(objects|referrers|referents)\b", "uses the garbage collector (gc)"),
    (r"\bctypes\b", "uses ctypes"),
    (r"\bsys\._getframe\b|\binspect\.(currentframe|stack|getouterframes)\b|\.f_(back|globals|locals)\b", "inspects stack frames"),
    (rf"{_NOT_AFTER_NAME}(np|numpy)(?:\.\w+)++{_H}=(?!=)", "rewrites a numpy attribute"),
    (rf"\bsetattr{_H}\({_H}(np|numpy|builtins|math)\b", "rewrites a library attribute"),
    (rf"\b(json|pickle|base64)\.\w+{_H}=(?!=)", "rewrites the json, pickle or base64 module (how replies are written)"),
    (rf"\b__builtins__\b|\bimport{_H1}builtins\b|\bbuiltins\.\w+{_H}=", "changes builtins"),
    (r"\bautograder\b|\bgradebook\b|\bHIDDEN TESTS\b", "mentions the grader or its files"),
    (rf"\bdef{_H1}__(eq|array|array_ufunc|bool|float)__\b", "defines comparison or array conversion methods"),
    (r"\b(subprocess|socket|urllib|requests|http\.client)\b", "starts processes or uses the network"),
    (r"\bos\.(system|popen|fork|kill|killpg|_exit|setsid|exec\w*|spawn\w*)\b|\bsys\.exit\b", "exits, kills or starts processes"),
    (r"\bos\.(symlink|link|mkfifo|mknod|chmod|chown|setuid|setgid)\b", "makes links or FIFOs, or changes owners"),
    (rf"/proc\b|/dev/shm\b|\bimport{_H1}signal\b|\bsignal\.(SIG\w+|signal|pthread_kill)\b", "reaches /proc, /dev/shm or signals"),
    (r"\bpublish_display_data\b|\bdisplay_pub\b|\biopub\w*\b|\bget_ipython\(\)\.kernel\b|\bsession\.send\b",
     "talks to the kernel's own message channels"),
]
_COMPILED = [(re.compile(pattern, flags=re.M), what) for pattern, what in PATTERNS]
TOO_LONG = f"is longer than the {MAX_SCAN:,} characters the grader reads for this list: the rest was not looked at"


def scan(sources: list[str]) -> list[str]:
    """What the student's code does that deserves a look, one line each (sorted, unique)."""
    found = set()
    text = "\n".join(s for s in sources if isinstance(s, str))
    if len(text) > MAX_SCAN:
        found.add(TOO_LONG)
        text = text[:MAX_SCAN]
    for pattern, what in _COMPILED:
        if pattern.search(text):
            found.add(what)
    return sorted(found)
