# A right notebook whose nbgrader metadata was stripped (copied into a fresh notebook): its code
# runs after the course's read-only cells, the checks are the course's: full marks, flagged.
# mutate: strip-nbgrader-metadata
# expect-flags: cells-restored, metadata-missing
# expect-failing:
