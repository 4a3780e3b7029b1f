"""Feedback for one student's lab, as a self-contained HTML page: the score per graded cell (a TA's
manual score where one was set), what each failed check found, the TA's comments, the late
penalty, what happened while running the notebook. Built from the class as its gradebook says
(gradebook.read_class: check messages, never hidden test code).

Written twice: OUT/feedback/<student>/<lab>.html, the page to upload to an LMS, and, for a
submission collected through nbgrader's exchange (it has a submission_secret.txt), in nbgrader's
feedback layout OUT/feedback/<student>/<lab>/<lab>.html with its timestamp.txt and
submission_secret.txt, so `nbgrader release_feedback` run in OUT releases it."""
from __future__ import annotations

import html
from pathlib import Path

from autograder.grade.result import NOTHING_RAN, STATUSES, UnitResult

STYLE = """body{font-family:system-ui,sans-serif;max-width:52em;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4em;text-align:left;vertical-align:top}
.pass{color:#1a7f37}.fail{color:#b3261e}.msg{font-family:ui-monospace,monospace;font-size:.9em;white-space:pre-wrap}
.note{background:#fff8e1;padding:.6em;border-radius:4px}.comment{font-family:system-ui,sans-serif;background:#e8f0fe;
padding:.3em;margin-top:.3em;white-space:pre-wrap}"""


# our pages run no script and load nothing: whatever a student's text might smuggle past the
# escaping, the browser refuses to run it (images only as data: URLs, our own inline style)
CSP = ('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; '
       'style-src \'unsafe-inline\'; base-uri \'none\'; form-action \'none\'">')

def render(result: UnitResult | dict, title: str = "") -> str:
    """The page of one unit as the gradebook says (gradebook.read_class); a plain dict is read as a unit file."""
    result = UnitResult.coerce(result)
    e = html.escape
    rows = []
    comments = dict(result.comments)
    for cell in result.cells:
        ok = cell.score >= cell.max_score
        if cell.needs_manual_grade:
            mark, message = "waiting for a TA", ""
        elif cell.manual_score is not None or cell.manual:
            mark, message = "graded by a TA", "" if cell.manual else cell.message or ""
        else:
            mark = ('<span class="pass">passed</span>' if ok else '<span class="fail">partly passed</span>'
                    if cell.score > 0 else '<span class="fail">failed</span>')
            message = cell.message or ""
        comment = comments.pop(cell.grade_id, "")
        comment += "".join(comments.pop(k) for k in list(comments) if k == f"solution_{cell.grade_id}")
        comment_html = f"<div class='comment'>TA: {e(comment)}</div>" if comment else ""
        rows.append(f"<tr><td>{e(cell.grade_id)}</td><td>{cell.score:g} / {cell.max_score:g}</td>"
                    f"<td>{mark}</td><td class='msg'>{e(message)}{comment_html}</td></tr>")
    for name, comment in sorted(comments.items()):
        rows.append(f"<tr><td>{e(name)}</td><td></td><td></td><td><div class='comment'>TA: {e(comment)}</div></td></tr>")
    notes = result.notes + result.events
    notes_html = "".join(f"<li>{e(n)}</li>" for n in notes if not n.startswith("for a TA"))
    errors_html = "".join(f"<li class='msg'>{e(n)}</li>" for n in result.cell_errors[:20])
    status = result.status
    waiting = [c.grade_id for c in result.cells if c.needs_manual_grade]
    waiting_html = (f"<p class='note'><b>Not graded yet:</b> {e(', '.join(waiting))}: a TA has not graded "
                    f"{'this answer' if len(waiting) == 1 else 'these answers'} yet, so this score is not final.</p>"
                    if waiting and status not in NOTHING_RAN else "")
    penalty = f" ({result.score:g} before the late penalty of {result.penalty:g})" if result.penalty else ""
    return f"""<!doctype html><html><head><meta charset="utf-8">{CSP}<title>{e(result.lab)}: {e(result.student)}</title>
<style>{STYLE}</style></head><body>
<h1>{e(title or result.lab)}</h1>
<p>Student <b>{e(result.student)}</b>: <b>{result.awarded:g} / {result.max_score:g}</b> points{penalty}.
Status: <b>{e(status)}</b> ({e(STATUSES.get(status, ''))}).</p>
{waiting_html}
<table><tr><th>check</th><th>points</th><th>result</th><th>what the check found</th></tr>{''.join(rows)}</table>
{f'<h2>While running your notebook</h2><ul class="note">{notes_html}</ul>' if notes_html else ''}
{f'<h2>Errors in your cells</h2><ul>{errors_html}</ul>' if errors_html else ''}
<p>Each check ran your functions on inputs you have not seen and compared the results with the
course's reference. Fix the first message of a failed check, then run the visible checks in your
notebook again.</p></body></html>
"""


def _put(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    tmp.replace(path)


def write(out: Path, result: UnitResult, title: str = "") -> Path:
    page = render(result, title)
    path = out / "feedback" / result.student / f"{result.lab}.html"
    _put(path, page)
    if result.submission_secret:  # nbgrader's layout, for release_feedback
        folder = out / "feedback" / result.student / result.lab
        _put(folder / f"{result.lab}.html", page)
        _put(folder / "timestamp.txt", result.timestamp or "")
        _put(folder / "submission_secret.txt", result.submission_secret)
    return path
