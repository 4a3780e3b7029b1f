"""`autograder report`: one self-contained HTML page for the instructors of a graded class.

Per lab: the distribution of scores (a matplotlib histogram embedded as a PNG), how many
submissions ended in each status and how many were late, and an item analysis: for every graded
cell its pass rate, its mean score and the most common failure messages, so an instructor sees
which concept the class did not get.

Failure messages are layered, "context: finding: detail" ("backward with 4 cases, 2 inputs, 3
hidden: W1 is wrong at entry (1, 0): expected 0.0003, got 0"); the context carries the random
sizes of the hidden inputs and the detail the numbers, so messages are grouped by the first clause
of their finding ("W1 is wrong at entry"), with any digit left in it replaced by `#`.

Everything a student can influence (ids, messages, notes) is escaped.
"""
from __future__ import annotations

import base64
import html
import io
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from autograder import course as course_mod
from autograder.grade.feedback import CSP
from autograder.grade.lateness import late_rule
from autograder.grade.result import Status, UnitResult

# Statuses where the student's code ran: the others say nothing about a concept.
RAN = (Status.OK, Status.TIMEOUT, Status.MEMORY, Status.CRASHED)
TOP_MESSAGES = 3

STYLE = """body{font-family:system-ui,sans-serif;max-width:64em;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border-bottom:1px solid #ddd;padding:.35em .6em;
text-align:left;vertical-align:top}.num{text-align:right;font-variant-numeric:tabular-nums}
.msg{font-family:ui-monospace,monospace;font-size:.85em}.low{color:#b3261e;font-weight:bold}
.example{color:#666}img{max-width:100%}"""


@dataclass
class Item:
    """One graded cell across the class."""
    grade_id: str
    max_score: float
    attempts: int = 0
    passed: int = 0
    total_score: float = 0.0
    messages: Counter = field(default_factory=Counter)
    examples: dict = field(default_factory=dict)

    @property
    def pass_rate(self) -> float:
        return self.passed / self.attempts if self.attempts else 0.0

    @property
    def mean_score(self) -> float:
        return self.total_score / self.attempts if self.attempts else 0.0

    def common_messages(self, n: int = TOP_MESSAGES) -> list[tuple[str, int, str]]:
        """(group, count, one full message of that group), most common first, ties by name."""
        ranked = sorted(self.messages.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
        return [(group, count, self.examples[group]) for group, count in ranked]


def message_group(message: str) -> str:
    """The first clause of a check's finding, digits replaced by '#': what the class got wrong."""
    parts = [p.strip() for p in message.split(": ") if p.strip()]
    if not parts:
        return "(no message)"
    # parts[0] is the check's context when there is more; bare names after it ("params", "W1")
    # are further layers of context, not the finding.
    findings = parts[1:] or parts
    finding = next((p for p in findings if not re.fullmatch(r"[\w\[\]'\".]+", p)), findings[-1])
    clause = re.split(r"[,;:(]| - ", finding, maxsplit=1)[0].strip() or finding
    return re.sub(r"(?<![\w.])\d+(\.\d+)?(e[-+]?\d+)?(?!\w)", "#", clause)


def item_analysis(results: list[UnitResult | dict]) -> list[Item]:
    """The autograded cells of one lab's results, in notebook order, over the submissions that ran
    (written answers, graded by TAs, have no check and no messages: they are left out). A plain
    dict is read as a unit file."""
    items: dict[str, Item] = {}
    for result in map(UnitResult.coerce, results):
        checked = [cell for cell in result.cells if not cell.manual]
        for cell in checked:
            items.setdefault(cell.grade_id, Item(cell.grade_id, float(cell.max_score)))
        if result.status not in RAN:
            continue
        for cell in checked:
            item = items[cell.grade_id]
            item.attempts += 1
            item.total_score += float(cell.score)
            if cell.score >= cell.max_score:
                item.passed += 1
            else:
                message = cell.message or "(no message)"
                group = message_group(message)
                item.messages[group] += 1
                item.examples.setdefault(group, message)
    return list(items.values())


def histogram_png(scores: list[float], max_score: float, title: str) -> str:
    """A histogram of the scores, as base64 PNG data."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    top = max([max_score, *scores]) if scores else max_score
    n_bins = int(min(max(top, 1), 20))
    fig, ax = plt.subplots(figsize=(6, 2.6), dpi=100)
    ax.hist(scores, bins=n_bins, range=(0, top), color="#4a78b5", edgecolor="white")
    ax.set_xlabel(f"score (of {max_score:g})")
    ax.set_ylabel("submissions")
    ax.set_title(title, fontsize=10)
    ax.yaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _lab_section(lab, results: list[UnitResult], course) -> str:
    e = html.escape
    scores = [float(r.score) for r in results]
    lates = [r.late or late_rule(r, course) for r in results]
    n_late = sum(1 for late in lates if late.days > 0)
    statuses = Counter(r.status for r in results)
    status_rows = "".join(f"<tr><td>{e(s)}</td><td class='num'>{n}</td></tr>" for s, n in sorted(statuses.items()))
    status_rows += f"<tr><td>late (any status)</td><td class='num'>{n_late}</td></tr>"
    mean = sum(scores) / len(scores) if scores else 0.0
    rows = []
    for item in item_analysis(results):
        messages = "".join(
            f"<li><b>{count}</b> &times; {e(group)}<br><span class='example'>e.g. {e(example[:300])}</span></li>"
            for group, count, example in item.common_messages())
        low = " low" if item.attempts and item.pass_rate < 0.5 else ""
        rows.append(f"<tr><td>{e(item.grade_id)}</td><td class='num{low}'>{item.pass_rate:.0%}</td>"
                    f"<td class='num'>{item.passed} / {item.attempts}</td>"
                    f"<td class='num'>{item.mean_score:.2f} / {item.max_score:g}</td>"
                    f"<td class='msg'><ul>{messages}</ul></td></tr>")
    png = histogram_png(scores, lab.points, f"{lab.title} ({lab.id})")
    return f"""<h2>{e(lab.title)} <small>({e(lab.id)})</small></h2>
<p>{len(results)} students, mean score {mean:.2f} / {lab.points:g} (TA's manual grades included, before late penalties).</p>
<img alt="histogram of the scores of {e(lab.id)}" src="data:image/png;base64,{png}">
<table><tr><th>status</th><th>submissions</th></tr>{status_rows}</table>
<h3>Item analysis</h3>
<p>Over the {sum(statuses[s] for s in RAN)} notebooks that ran (missing, unreadable and grader errors left out).</p>
<table><tr><th>check</th><th>pass rate</th><th>passed</th><th>mean score</th><th>most common failures</th></tr>
{''.join(rows)}</table>"""


def render(results: list[UnitResult], course) -> str:
    sections = []
    for lab in course.labs:
        lab_results = [r for r in results if r.lab == lab.id]
        if lab_results:
            sections.append(_lab_section(lab, lab_results, course))
    e = html.escape
    return f"""<!doctype html><html><head><meta charset="utf-8">{CSP}<title>{e(course.title)}: class report</title>
<style>{STYLE}</style></head><body>
<h1>{e(course.title)}</h1>
<p>Class report: {len({r.student for r in results})} students. A check's failures are grouped by the
first clause of what it found; the example beside each group is one student's full message.</p>
{''.join(sections)}
</body></html>
"""


def main(*, out: str | Path, course_toml: str | Path = course_mod.COURSE_TOML) -> Path:
    """Write OUT/report.html: per lab the score distribution, the statuses and the item analysis.

    Args:
        out: the folder `autograder grade` wrote (its .units/ holds the results).
        course_toml: the course description (labs, titles, points, due dates).
    Returns:
        the path of the report.
    Raises:
        FileNotFoundError: OUT does not exist.
        ValueError: OUT is not a grading output, or a unit it lists has no readable result.
    """
    from autograder.grade.pipeline import refresh

    course = course_mod.load(course_toml)
    results = refresh(Path(out), course)  # the class as its gradebook says (a TA's manual grades)
    path = Path(out) / "report.html"
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(render(results, course))
    os.replace(tmp, path)
    return path
