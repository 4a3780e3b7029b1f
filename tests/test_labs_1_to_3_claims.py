"""What the text of labs 1-3 says about a run is what the source notebook's run prints, so text and
code cannot drift apart; a backward without the hidden layer's sigma' fails its visible check; the
validator tells answered questions from unanswered ones."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from autograder import validate

ROOT = Path(__file__).resolve().parent.parent
LAB_RUNS: dict[str, nbformat.NotebookNode] = {}


def executed(lab: str) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    if lab not in LAB_RUNS:
        path = ROOT / "source" / lab / f"{lab}.ipynb"
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        LAB_RUNS[lab] = nb
    return LAB_RUNS[lab]


def cell(nb, cell_id: str):
    return next(c for c in nb.cells if c.get("id") == cell_id)


def printed(nb, cell_id: str) -> str:
    return "".join(o.get("text", "") for o in cell(nb, cell_id).get("outputs", []) if o.get("output_type") == "stream")


def test_does_lab3_say_how_many_seeds_learn_xor_at_each_scale_as_its_run_shows():
    nb = executed("lab3_backprop")
    out = printed(nb, "xor-seeds")
    learned = {float(s): int(n) for s, n in re.findall(r"scale ([\d.]+): (\d) of 5 seeds learn XOR", out)}
    assert learned == {0.01: 0, 1.0: 5, 10.0: 2}, out
    text = " ".join(cell(nb, "md-xor-seeds").source.split())
    assert "none of 5 learn at scale 0.01" in text and "all 5 learn at scale 1" in text
    assert f"at scale 10, {5 - learned[10.0]} of the 5 seeds have not learned after 2000 epochs" in text
    losses = re.search(r"scale 10: .*final losses (.+)$", out, re.M).group(1).split(", ")
    assert sorted(float(x) for x in losses if float(x) >= 0.05) == [0.25, 0.25, 1.0]  # "at 0.25 or 1.0"
    escaped, stuck = map(int, re.search(r"(\d) learn with 8,000 more epochs and (\d) stay stuck", out).groups())
    assert (escaped, stuck) == (1, 2), out
    assert "**one of the three escapes** (it was slow) and **two stay stuck**" in text


def test_does_lab2_state_the_race_numbers_its_run_prints():
    nb = executed("lab2_delta_rule")
    out = printed(nb, "given-perturbation")
    rows = re.findall(r"^  ([a-z ]+(?:, size [\d.]+)?): (\d+) evaluations; at the end (.*)$", out, re.M)
    assert [r[0] for r in rows] == ["delta rule", "weight perturbation, size 30", "weight perturbation, size 3",
                                    "activity perturbation, size 1", "delta rule", "weight perturbation, size 0.3",
                                    "activity perturbation, size 0.01"], out
    counts = [int(r[1]) for r in rows]
    guide = cell(nb, "reflection-2").source
    # the marking guide quotes the run: 44, 215, 368, 127; 26, 2611, 63
    quoted = ("44 evaluations, weight perturbation {} (size 30) and {} (size 3), activity perturbation {};\n"
              "  with 30 inputs {}, {} and {}").format(counts[1], counts[2], counts[3], counts[4], counts[5], counts[6])
    assert quoted in guide.replace("needs\n  44", "needs 44").split("the delta rule needs ")[-1] or \
        quoted in guide, guide
    assert counts[0] == 44
    # "about 5 to 8 times ... with 3 weights, and about 100 times with 30"
    assert 4.5 <= counts[1] / counts[0] < 5.5 and 7.5 <= counts[2] / counts[0] < 8.5
    assert 90 <= counts[5] / counts[4] <= 110
    text = cell(nb, "md-perturbation-after").source
    assert "about 5 to 8 times the delta rule's evaluations with 3 weights, and about 100 times with 30" in text
    # the delta rule reaches the floor; every perturbation learner ends above it ("levels off above the floor")
    ends = [r[2] for r in rows]
    assert [e.startswith("on the floor") for e in ends] == [True, False, False, False, True, False, False], out
    # activity perturbation beats weight perturbation with 30 inputs, and loses to the delta rule
    assert counts[4] < counts[6] < counts[5]



def test_does_lab2s_first_meal_move_chips_from_50_to_100_as_reflection_1_says():
    nb = executed("lab2_delta_rule")
    ns: dict = {}
    for c in nb.cells:  # the run's own first_update, recomputed from its cells' code
        if c.get("id") in ("setup-imports", "solution-predict", "solution-online-step", "solution-first-update"):
            exec(c.source, ns)
    assert ns["first_update"][1] == 100.0
    assert "After the first meal the price of chips went *up*, from 50 to 100" in cell(nb, "md-reflection-1").source


def test_does_lab1_show_learning_survive_a_constant_slope_as_its_text_says():
    nb = executed("lab1_gradients")
    out = printed(nb, "own-slope")
    runs = re.findall(r"loss ([\d.]+) -> ([\d.]+) after 300 steps; largest angle .*?: ([\d.]+) degrees", out)
    assert len(runs) == 2, out
    for start, end, angle in runs:
        assert float(end) < 0.05 * float(start)  # both learn
        assert float(angle) < 90  # "below 90 degrees, the constant-slope update still goes downhill"
    assert "below 90 degrees" in cell(nb, "md-own-slope").source


def _visible(source: str) -> str:
    return source.split("### BEGIN HIDDEN TESTS")[0]


def _run_up_to(nb, last_id: str, namespace: dict, replace: dict[str, str] | None = None) -> None:
    """Run the notebook's code cells (visible parts only) up to last_id, swapping some cells' code."""
    for c in nb.cells:
        if c.cell_type == "code" and not re.search(r"^\s*explore\(", c.source, re.M):
            exec(compile((replace or {}).get(c.get("id"), _visible(c.source)), c.get("id", "?"), "exec"), namespace)
        if c.get("id") == last_id:
            return


NO_HIDDEN_SLOPE = '''
def backward(params, cache, T):
    X, H, Y = cache["X"], cache["H"], cache["Y"]
    delta2 = (Y - T) * Y * (1.0 - Y)
    delta1 = delta2 @ params["W2"]
    return {"W1": delta1.T @ X, "b1": delta1.sum(axis=0), "W2": delta2.T @ H, "b2": delta2.sum(axis=0)}
'''


def test_does_backward_without_the_hidden_sigma_prime_fail_its_visible_check():
    import matplotlib

    matplotlib.use("Agg")
    nb = nbformat.read(ROOT / "source" / "lab3_backprop" / "lab3_backprop.ipynb", as_version=4)
    _run_up_to(nb, "backward", {})  # the solution passes
    with pytest.raises(AssertionError, match=r"backward: dW1 disagrees with the numerical gradient at \d+ of its 4"):
        _run_up_to(nb, "backward", {}, replace={"solution-backward": NO_HIDDEN_SLOPE})


def test_do_failing_visible_checks_of_labs_1_to_3_keep_the_answer_to_themselves():
    # the worked formulas that the checks used to print
    for lab, leaks in {"lab1_gradients": ["5 * y", "4 * y**3", "2 (a - y)", "sigmoid(z) * (1 - sigmoid(z))"],
                       "lab2_delta_rule": ["-sum_n", "delta_rule_online_step(w, x, 850.0", "2 / 4"],
                       "lab3_backprop": ["Y (1 - Y)", "sigmoid'(Z2)"]}.items():
        nb = nbformat.read(ROOT / "source" / lab / f"{lab}.ipynb", as_version=4)
        visible = "\n".join(_visible(c.source) for c in nb.cells
                            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade"))
        assert [leak for leak in leaks if leak in visible] == [], lab
        hints = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        assert hints.count("<details><summary>Hint 1") >= 1 and "Hint 2 (stronger)" in hints, lab


def _question_notebook(tmp_path: Path, answer: str | None) -> Path:
    nb = nbformat.v4.new_notebook()
    solution = nbformat.v4.new_code_cell(answer or "raise NotImplementedError('q1: replace this line with your answer')")
    solution.metadata["nbgrader"] = {"solution": True, "grade": False, "grade_id": "solution_q1", "locked": False,
                                     "schema_version": 3}
    check = nbformat.v4.new_code_cell('assert isinstance(q1, str) and q1 in ("a", "b", "c", "d"), "one letter"')
    check.metadata["nbgrader"] = {"solution": False, "grade": True, "grade_id": "q1", "points": 1.0, "locked": True,
                                  "schema_version": 3}
    nb.cells = [solution, check]
    path = tmp_path / f"quiz_{answer and answer.split()[-1].strip(chr(34)) or 'blank'}.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.mark.parametrize("answer, outcome", [
    (None, "not answered"),
    ('q1 = "d"', "answered (checked when graded)"),  # right or wrong: only the hidden check knows
    ('q1 = "e"', "failed"),
])
def test_does_validate_tell_an_answered_question_from_an_unanswered_one(tmp_path, answer, outcome):
    checks = validate.run_visible_checks(_question_notebook(tmp_path, answer))
    assert [(c.grade_id, c.outcome) for c in checks] == [("q1", outcome)]
    table = validate.format_table(checks)
    row = table.splitlines()[1]
    assert row.split()[:2] == ["q1", "1"] and row.split(None, 2)[2].startswith(outcome), table
    assert "passed" not in row
