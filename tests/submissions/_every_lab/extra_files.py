# A right notebook with scratch files beside it: the files are ignored, flagged.
# mutate: extra-files
# expect-flags: extra-files
# expect-failing:
