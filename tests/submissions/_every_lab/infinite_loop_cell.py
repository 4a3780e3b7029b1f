# A right notebook with a cell that never ends: it is stopped at the cell time limit, the
# functions defined before it are graded: full marks, status timeout.
# expect-status: timeout
# expect-failing:
# %% add-cell
while True:
    pass
