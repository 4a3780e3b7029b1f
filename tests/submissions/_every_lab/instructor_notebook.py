# The instructor's own source notebook handed in, hidden tests and all: full marks on every
# graded cell (its hidden test code is replaced by the course's, never run in the kernel).
# base: source
# expect-failing:
