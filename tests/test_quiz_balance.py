"""The multiple-choice questions of every lab do not give their answer away by length: a student who
always picks the longest (most specific) option must not beat the quiz."""
from __future__ import annotations

import re

import nbformat

from autograder import course as course_mod

COURSE = course_mod.load()
ANSWER = re.compile(r"^\s*(q\w*)\s*=\s*[\"']([a-dA-D])[\"']\s*$", re.MULTILINE)
OPTION = re.compile(r"\(([a-d])\)")


def options(text: str) -> dict[str, str]:
    """{letter: option text} of the (a) ... (d) options in a question's markdown."""
    paragraph = text[text.index("(a)"):].split("\n\n")[0]  # the options end with their paragraph
    parts = OPTION.split(paragraph)[1:]
    return {letter: " ".join(body.split()).strip(" ,;.-") for letter, body in zip(parts[::2], parts[1::2])}


def multiple_choice() -> list[tuple[str, str, dict[str, str], str]]:
    """(lab, question, options, right letter) for every multiple-choice question of every source notebook."""
    found = []
    for lab in COURSE.labs:
        path = lab.source_notebook()
        if not path.exists():
            continue
        question = None
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "markdown" and "(a)" in cell.source and "(b)" in cell.source:
                question = cell.source
            elif cell.cell_type == "code" and "### BEGIN SOLUTION" in cell.source:
                for name, letter in ANSWER.findall(cell.source):
                    assert question is not None, f"{lab.id}: {name} has no question with options above it"
                    found.append((lab.id, name, options(question), letter.lower()))
    return found


def test_does_every_multiple_choice_question_have_four_options_and_a_right_one_among_them():
    questions = multiple_choice()
    assert len(questions) >= 10
    for lab, name, opts, right in questions:
        assert sorted(opts) == ["a", "b", "c", "d"] and all(opts.values()), f"{lab} {name}: {opts}"
        assert right in opts


def test_is_the_right_option_the_longest_in_at_most_a_third_of_the_questions():
    questions = multiple_choice()
    longest = [f"{lab} {name}" for lab, name, opts, right in questions
               if len(opts[right]) == max(len(o) for o in opts.values())]
    assert len(longest) <= len(questions) / 3, f"the right option is the longest in {longest} of {len(questions)}"


def test_is_the_right_option_the_shortest_in_at_most_a_third_of_the_questions():
    questions = multiple_choice()
    shortest = [f"{lab} {name}" for lab, name, opts, right in questions
                if len(opts[right]) == min(len(o) for o in opts.values())]
    assert len(shortest) <= len(questions) / 3, f"the right option is the shortest in {shortest} of {len(questions)}"


def test_does_the_options_parser_read_a_question_as_written():
    text = "**q9.** Which?\n(a) one, (b) the second one, (c) three;\n(d) four.\n\nMore text (a)."
    assert options(text) == {"a": "one", "b": "the second one", "c": "three", "d": "four"}
