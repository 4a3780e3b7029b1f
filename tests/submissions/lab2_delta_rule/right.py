# The instructor's solution as released: every cell full marks.
# base: solution
