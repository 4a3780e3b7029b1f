# A right notebook whose test cells were turned into markdown: restored, full marks, flagged.
# mutate: test-cells-to-markdown
# expect-flags: cells-restored
# expect-failing:
