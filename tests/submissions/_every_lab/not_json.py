# The file is not JSON at all (a broken upload): its own row, status unreadable, zero.
# mutate: not-json
# expect-status: unreadable
# expect-failing: all
