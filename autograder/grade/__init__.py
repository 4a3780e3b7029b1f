"""Grading a class: collect submissions, rebuild each notebook from source, run the student's
code in a sandboxed kernel, judge the hidden checks in this process, save to nbgrader's gradebook,
write grades.csv, cells.csv and feedback. See pipeline.py for the order."""
