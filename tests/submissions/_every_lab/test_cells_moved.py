# A right notebook with its test cells moved to the top: graded as the course orders them.
# mutate: move-test-cells-to-top
# expect-failing:
