# A right notebook saved under another name: graded anyway, flagged.
# mutate: rename
# expect-flags: renamed-notebook
# expect-failing:
