"""Feedback for one student's lab, as a self-contained HTML page: the score per graded cell, what
each failed check found, what happened while running the notebook. Built only from the unit
result (check messages), so hidden test code and reference values beyond the message never show."""
from __future__ import annotations

import html
from pathlib import Path

from autograder.grade.unit import STATUSES

STYLE = """body{font-family:system-ui,sans-serif;max-width:52em;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4em;text-align:left;vertical-align:top}
.pass{color:#1a7f37}.fail{color:#b3261e}.msg{font-family:ui-monospace,monospace;font-size:.9em;white-space:pre-wrap}
.note{background:#fff8e1;padding:.6em;border-radius:4px}"""


def render(result: dict, title: str = "") -> str:
    e = html.escape
    rows = []
    for cell in result["cells"]:
        ok = cell["score"] >= cell["max_score"]
        mark = ('<span class="pass">passed</span>' if ok else '<span class="fail">partly passed</span>'
                if cell["score"] > 0 else '<span class="fail">failed</span>')
        rows.append(f"<tr><td>{e(cell['grade_id'])}</td><td>{cell['score']:g} / {cell['max_score']:g}</td>"
                    f"<td>{mark}</td><td class='msg'>{e(cell.get('message') or '')}</td></tr>")
    notes = result.get("notes", []) + result.get("events", [])
    notes_html = "".join(f"<li>{e(n)}</li>" for n in notes if not n.startswith("for a TA"))
    errors_html = "".join(f"<li class='msg'>{e(n)}</li>" for n in result.get("cell_errors", [])[:20])
    status = result["status"]
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{e(result['lab'])}: {e(result['student'])}</title>
<style>{STYLE}</style></head><body>
<h1>{e(title or result['lab'])}</h1>
<p>Student <b>{e(result['student'])}</b>: <b>{result['score']:g} / {result['max_score']:g}</b> points.
Status: <b>{e(status)}</b> ({e(STATUSES.get(status, ''))}).</p>
<table><tr><th>check</th><th>points</th><th>result</th><th>what the check found</th></tr>{''.join(rows)}</table>
{f'<h2>While running your notebook</h2><ul class="note">{notes_html}</ul>' if notes_html else ''}
{f'<h2>Errors in your cells</h2><ul>{errors_html}</ul>' if errors_html else ''}
<p>Each check ran your functions on inputs you have not seen and compared the results with the
course's reference. Fix the first message of a failed check, then run the visible checks in your
notebook again.</p></body></html>
"""


def write(out: Path, result: dict, title: str = "") -> Path:
    path = out / "feedback" / result["student"] / f"{result['lab']}.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(result, title))
    return path
