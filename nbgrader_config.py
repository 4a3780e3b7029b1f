# nbgrader's tools (JupyterLab's Validate button, `nbgrader ...`) read this file. Everything in it
# is derived from course.toml by autograder.nbgrader_config: edit course.toml, not this file.
# This folder's gradebook is the instructors' (labs and their cells, from `autograder release`).
# A graded class is its own nbgrader course folder: `autograder grade ... --out OUT` writes
# OUT/nbgrader_config.py, so formgrader and `nbgrader db/export/release_feedback` run in OUT.
from autograder.nbgrader_config import apply

apply(get_config())  # noqa: F821 - provided by nbgrader when it loads this file
