"""Labs and autograder for "How neural networks learn, and could the brain learn the same way?".

The flow, one subpackage or module per step:
  source/ --(autograder.release)--> release/ --(students)--> submissions
  submissions --(autograder.grade)--> grades.csv, cells.csv, gradebook.db, feedback/
  OUT --(autograder.report, autograder.export)--> class report, Canvas gradebook
"""
__version__ = "0.1.0"
