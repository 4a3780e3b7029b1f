# A right notebook with every test cell duplicated under the same grade_id: counted once.
# mutate: duplicate-test-cells
# expect-flags: duplicate-cells
# expect-failing:
