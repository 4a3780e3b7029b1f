# A right notebook in nbformat 4.4 without cell ids: graded normally.
# mutate: strip-cell-ids
# expect-failing:
