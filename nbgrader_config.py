# nbgrader's tools (JupyterLab's Validate button, `nbgrader ...`) read this file. Everything in it
# is derived from course.toml by autograder.nbgrader_config: edit course.toml, not this file.
from autograder.nbgrader_config import apply

apply(get_config())  # noqa: F821 - provided by nbgrader when it loads this file
