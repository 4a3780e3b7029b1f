# The instructor's solution, as a student would hand it in: full marks.
# expect-failing:
