# A right notebook that raises SystemExit: status crashed, full marks.
# expect-status: crashed
# expect-failing:
# %% add-cell
raise SystemExit(3)
