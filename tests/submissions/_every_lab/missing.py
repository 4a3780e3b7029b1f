# The student's folder exists but holds no notebook: status missing, zero.
# mutate: missing
# expect-status: missing
# expect-failing: all
