"""The unit file (OUT/.units/<student>/<lab>.json) loads into a UnitResult and saves again as it
was: an OUT folder lives a whole term, and the units of older versions must still load."""
from __future__ import annotations

import json

from autograder import course as course_mod
from autograder.grade.lateness import late_rule
from autograder.grade.result import Cell, Flag, Status, UnitResult, load_unit

LAB = "lab1_gradients"

# as an older version saved it: its late rule's `seconds_late`, a cell key since dropped
OLDER = {"student": "ada", "lab": LAB, "status": "ok", "flags": ["extra-files", "no-sandbox"], "notes": ["n"],
         "events": [], "cell_errors": [], "max_score": 25.0, "fingerprint": "f", "timestamp": None,
         "cells": [{"grade_id": "sigmoid", "score": 2.0, "max_score": 2.0, "passed": True, "message": "",
                    "hint": "kept"},
                   {"grade_id": "reflection_1", "score": 0.0, "max_score": 3.0, "passed": False, "manual": True,
                    "message": "graded by a TA"}],
         "score": 2.0, "seconds_late": 90000.0, "seconds": 1.5}


def test_does_an_older_unit_file_load_typed_and_save_again_byte_for_byte(tmp_path):
    path = tmp_path / "ada" / f"{LAB}.json"
    path.parent.mkdir()
    path.write_text(json.dumps(OLDER, indent=1, sort_keys=True))
    result = load_unit(path)
    assert result.status is Status.OK and Flag.EXTRA_FILES in result.flags and result.score == 2.0
    assert [c.manual for c in result.cells] == [False, True] and result.seconds == 1.5
    assert json.dumps(result.to_json(), indent=1, sort_keys=True) == path.read_text()
    assert late_rule(result, course_mod.load()).days == 2  # the older file's own lateness still counts


def test_does_a_result_made_here_save_as_the_unit_files_always_held():
    result = UnitResult(student="bob", lab=LAB, max_score=25.0, fingerprint="f", status=Status.MISSING,
                        cells=[Cell("sigmoid", 0.0, 2.0, False, "no notebook submitted")],
                        flags=[Flag.NO_SANDBOX, Flag.NO_SANDBOX])
    plain = json.loads(json.dumps(result.to_json()))
    assert plain["status"] == "missing" and plain["flags"] == ["no-sandbox"] and "manual" not in plain["cells"][0]
    assert set(plain) == {"student", "lab", "status", "flags", "notes", "events", "cell_errors", "max_score",
                          "fingerprint", "timestamp", "cells", "score"}  # the gradebook's view is never saved
    assert UnitResult.from_json(plain).to_json() == plain


def test_is_a_status_this_version_does_not_know_an_unreadable_unit(tmp_path):
    path = tmp_path / "unit.json"
    path.write_text(json.dumps(dict(OLDER, status="exploded")))
    assert load_unit(path) is None
