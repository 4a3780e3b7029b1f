"""The grading steps that extend nbgrader's autograde pipeline (Autograde.autograde_preprocessors).

nbgrader runs every test cell in the student's kernel and trusts the kernel's outputs. Here the
one step that executes code is replaced: RunAndCheck runs the student's cells in the sandbox and
then writes each graded cell's outputs from the verdict of the hidden check, decided in this
process. nbgrader's SaveAutoGrades then scores the cells from those outputs as usual (an error
output scores 0, a numeric execute_result scores that many points, none scores full points), and the gradebook, late penalties and feedback work
unchanged."""
from __future__ import annotations

import nbformat
from nbconvert.preprocessors.sanitize import SanitizeHTML
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, List, Unicode

from autograder import course as course_mod
from autograder.grade.rebuild import graded_cells
from autograder.grade.run import run_notebook
from autograder.kernel.boundary import KernelDidNotStart

NOT_RUN = "not graded: the grader could not start a kernel for this notebook (not the student's doing)"


def verdict_outputs(gid: str, fraction: float, message: str, points: float) -> list:
    """A graded cell's outputs for nbgrader's determine_grade: none failed, an error output scores
    0; otherwise an execute_result holding a number scores that many points (partial credit),
    and the message follows it on stdout (nbgrader scores any stderr output 0)."""
    if fraction >= 1.0:
        return [nbformat.v4.new_output("stream", name="stdout", text=f"{gid}: passed\n")]
    if fraction <= 0.0:
        return [nbformat.v4.new_output("error", ename="CheckFailed", evalue=message, traceback=[message])]
    earned = round(points * fraction, 4)
    return [nbformat.v4.new_output("execute_result", data={"text/plain": f"{earned:g}"}, execution_count=None),
            nbformat.v4.new_output("stream", name="stdout", text=message)]


class RunAndCheck(NbGraderPreprocessor):
    course_toml = Unicode(str(course_mod.COURSE_TOML), help="the course description").tag(config=True)
    secret = Unicode("", help="the grading secret (default: from course.toml's rules)").tag(config=True)
    hide = List(Unicode(), [], help="folders the student's kernel must not see").tag(config=True)
    sandbox = Unicode("auto", help="the --sandbox mode: required, auto or off").tag(config=True)

    def preprocess(self, nb, resources):
        lab = resources["nbgrader"]["assignment"]
        course = course_mod.load(self.course_toml, secret=self.secret or None)
        graded = {gid for gid, _ in graded_cells(nb)}
        try:
            verdicts, log = run_notebook(nb, course, lab, hide=list(self.hide), sandbox=self.sandbox)
        except KernelDidNotStart as exc:  # the machine's fault: no verdict, the reason for the TA
            for cell in nb.cells:
                if cell.metadata.get("nbgrader", {}).get("grade_id") in graded:
                    cell.outputs = verdict_outputs("", 0.0, NOT_RUN, 0.0)
            nb.metadata["autograder"] = {"not_run": str(exc)}
            return nb, resources
        for cell in nb.cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if gid not in graded:
                continue
            fraction, message = verdicts[gid]
            cell.outputs = verdict_outputs(gid, float(fraction), message, float(cell.metadata["nbgrader"]["points"]))
        nb.metadata["autograder"] = {
            "events": log.events, "cell_errors": log.cell_errors[:50], "timed_out": log.timed_out,
            "crashed": log.crashed, "memory": log.memory, "output_truncated": log.output_truncated,
            "file_too_large": log.file_too_large,
            "sandbox": log.sandbox, "seconds": round(log.seconds, 3),
            "flags": [[flag, note] for flag, note in log.flags],
        }
        return nb, resources


class SanitizeForTheBrowser(SanitizeHTML):
    """The autograded notebook as formgrader shows it to a TA: no student HTML or script runs.

    nbconvert's SanitizeHTML (bleach), run as the last step of autograde, so it covers whatever is
    kept: markdown and raw cells have their HTML escaped (`<img onerror=...>` shows as text), text/html
    and text/markdown outputs are cleaned, and every output type that could carry script (application/
    javascript, image/svg+xml, widget views, any unknown type) is dropped; plain text, PNG, JPEG,
    LaTeX and JSON stay. The notebook's widget state goes too (nbconvert would load a widget
    manager for it); a markdown cell's attached images stay (shown by an <img>, where SVG runs no
    script). Scores are decided before (SaveAutoGrades) and never read from these."""

    enabled = Bool(True)  # nbconvert's preprocessors are off unless enabled: nbgrader calls it as a step

    def preprocess(self, nb, resources):
        nb.metadata.pop("widgets", None)
        return super().preprocess(nb, resources)
