# A right notebook with every test cell deleted: they are restored, full marks, flagged.
# mutate: delete-test-cells
# expect-flags: cells-restored
# expect-failing:
