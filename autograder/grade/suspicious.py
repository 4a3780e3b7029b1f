"""Code a TA should look at: reaching into the interpreter or the grader. Flagged, not penalised:
the scores do not depend on the kernel's say-so, so these cannot earn points; a TA decides."""
from __future__ import annotations

import re

PATTERNS = [
    (r"\bsys\.modules\b", "reaches into sys.modules"),
    (r"^\s*import\s+gc\b|\bgc\.get_(objects|referrers|referents)\b", "uses the garbage collector (gc)"),
    (r"\bctypes\b", "uses ctypes"),
    (r"\bsys\._getframe\b|\binspect\.(currentframe|stack|getouterframes)\b|\.f_(back|globals|locals)\b", "inspects stack frames"),
    (r"\b(np|numpy)(\.\w+)*\.\w+\s*=[^=]", "rewrites a numpy attribute"),
    (r"\bsetattr\s*\(\s*(np|numpy|builtins|math)\b", "rewrites a library attribute"),
    (r"\b(json|pickle|base64)\.\w+\s*=[^=]", "rewrites the json, pickle or base64 module (how replies are written)"),
    (r"\b__builtins__\b|\bimport\s+builtins\b|\bbuiltins\.\w+\s*=", "changes builtins"),
    (r"\bautograder\b|\bgradebook\b|\bHIDDEN TESTS\b", "mentions the grader or its files"),
    (r"\bdef\s+__(eq|array|array_ufunc|bool|float)__\b", "defines comparison or array conversion methods"),
    (r"\b(subprocess|socket|urllib|requests|http\.client)\b", "starts processes or uses the network"),
    (r"\bos\.(system|popen|fork|kill|killpg|_exit|setsid|exec\w*|spawn\w*)\b|\bsys\.exit\b", "exits, kills or starts processes"),
    (r"\bos\.(symlink|link|mkfifo|mknod|chmod|chown|setuid|setgid)\b", "makes links or FIFOs, or changes owners"),
    (r"/proc\b|/dev/shm\b|\bimport\s+signal\b|\bsignal\.(SIG\w+|signal|pthread_kill)\b", "reaches /proc, /dev/shm or signals"),
    (r"\bpublish_display_data\b|\bdisplay_pub\b|\biopub\w*\b|\bget_ipython\(\)\.kernel\b|\bsession\.send\b",
     "talks to the kernel's own message channels"),
]


def scan(sources: list[str]) -> list[str]:
    """What the student's code does that deserves a look, one line each (sorted, unique)."""
    found = set()
    for source in sources:
        for pattern, what in PATTERNS:
            if re.search(pattern, source, flags=re.M):
                found.add(what)
    return sorted(found)
