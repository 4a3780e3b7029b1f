# A right notebook that prints without end: output capped and the cell stopped at its limit;
# full marks, status timeout, flagged.
# expect-status: timeout
# expect-flags: output-truncated
# expect-failing:
# %% add-cell
while True:
    print("x" * 1_000_000)
