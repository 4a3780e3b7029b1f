# A right notebook cut in half on upload: status unreadable, zero.
# mutate: truncate
# expect-status: unreadable
# expect-failing: all
