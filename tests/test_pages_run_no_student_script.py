"""No student HTML or script runs in a browser: the autograded notebook formgrader shows is
sanitized when it is written, OUT's nbgrader configuration sanitizes what nbconvert renders, and our
own pages carry a strict Content-Security-Policy. (The same, in a real browser: test_browser.py.)"""
from __future__ import annotations

import nbformat
from nbconvert import HTMLExporter

from autograder import course as course_mod
from autograder import report
from autograder.grade import feedback
from autograder.grade.preprocessors import SanitizeForTheBrowser
from autograder.nbgrader_config import output_config

SCRIPTED = {  # output type -> a payload that runs when the page shows it
    "text/html": "<b>kept</b><script>window.__pwned=1</script><img src=x onerror=alert(1)>",
    "application/javascript": "window.__pwned=1",
    "image/svg+xml": "<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'></svg>",
    "text/markdown": "<img src=x onerror=alert(1)> **kept**",
    "application/vnd.jupyter.widget-view+json": {"model_id": "x", "version_major": 2, "version_minor": 0},
    "text/plain": "plain <script> text",
    "image/png": "iVBORw0KGgo=",
}


def live_script(page: str) -> list[str]:
    """The student's markup that a browser would run in `page`: script elements holding the payload,
    elements with an event handler (on...=) or a javascript: URL. Escaped text is not markup."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "html.parser")
    found = [str(s)[:80] for s in soup.find_all("script") if "__pwned" in s.get_text()]
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            if name.lower().startswith("on") or "javascript:" in str(value).lower():
                found.append(str(tag)[:80])
    return found


def hostile():
    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    md = nbformat.v4.new_markdown_cell("Notes <img src=x onerror=alert(1)> ![a](attachment:a.svg)")
    md.attachments = {"a.svg": {"image/svg+xml": "PHN2Zz4="}, "b.png": {"image/png": "iVBORw0KGgo="}}
    raw = nbformat.v4.new_raw_cell("<svg onload=alert(1)></svg>", metadata={"raw_mimetype": "text/html"})
    code = nbformat.v4.new_code_cell("display(...)")
    code.outputs = [nbformat.v4.new_output("display_data", data=dict(SCRIPTED)),
                    nbformat.v4.new_output("stream", name="stdout", text="<script>stream</script>")]
    nb.cells = [md, raw, code]
    return nb


def test_is_every_scripted_part_of_the_autograded_notebook_escaped_or_dropped():
    nb, _ = SanitizeForTheBrowser()(hostile(), {})  # called as nbgrader's autograde calls its steps
    md, raw, code = nb.cells
    assert "<img" not in md.source and "&lt;img" in md.source  # shown as text
    assert sorted(md.attachments) == ["a.svg", "b.png"]  # shown by an <img>: an SVG there runs nothing
    assert "<svg" not in raw.source and "&lt;svg" in raw.source
    data = code.outputs[0].data
    assert sorted(data) == ["image/png", "text/html", "text/markdown", "text/plain"]
    assert data["text/html"].startswith("<b>kept</b>") and "<script" not in data["text/html"]
    assert "<img" not in data["text/html"] and "<img" not in data["text/markdown"]
    assert (data["text/plain"], data["image/png"]) == (SCRIPTED["text/plain"], SCRIPTED["image/png"])
    assert "widgets" not in nb.metadata
    html, _ = HTMLExporter(template_name="classic").from_notebook_node(nb)
    assert live_script(html) == []


def test_does_outs_nbgrader_configuration_sanitize_what_nbconvert_renders(tmp_path):
    """formgrader's and nbgrader's feedback pages are nbconvert's HTMLExporter under this config:
    with it, even a notebook that was never sanitized renders without its scripts."""
    cfg = output_config(course_mod.load(), tmp_path)
    assert cfg.HTMLExporter.sanitize_html is True
    html, _ = HTMLExporter(config=cfg, template_name="classic").from_notebook_node(hostile())
    assert live_script(html) == []
    unsafe, _ = HTMLExporter(template_name="classic").from_notebook_node(hostile())
    assert live_script(unsafe) != []  # without it: the markdown's image, the JavaScript output



def test_do_our_own_pages_carry_a_strict_content_security_policy():
    assert "default-src 'none'" in feedback.CSP and "script-src" not in feedback.CSP
    page = feedback.render({"student": "s", "lab": "lab1_gradients", "status": "ok", "score": 0, "max_score": 1,
                            "cells": []})
    assert page.index(feedback.CSP) < page.index("<title>")  # before anything the page shows
    assert feedback.CSP in report.render([], course_mod.load())
