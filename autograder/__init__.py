"""Labs and autograder for "How neural networks learn, and could the brain learn the same way?".

The flow, one subpackage or module per step:
  source/ --(autograder.release)--> release/ --(students)--> submissions
  submissions --(autograder.grade)--> grades.csv, cells.csv, gradebook.db, feedback/
  OUT --(autograder.report, autograder.export)--> class report, Canvas gradebook
"""
__version__ = "0.1.0"

import sys as _sys

# nbformat validates notebooks with jsonschema, whose format checker imports rfc3987_syntax when
# it is installed (jupyter-events pulls it in): that module compiles ~35 Lark parsers at import,
# seconds of every grader process (bench/RESULTS.md; python-jsonschema/jsonschema#1428,
# jupyter-server/jupyter_server#1559). No notebook or nbgrader schema uses the "iri" formats it
# checks, so the grader's processes go without it (jsonschema then skips those two formats).
_sys.modules.setdefault("rfc3987_syntax", None)
