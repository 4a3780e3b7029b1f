# The release handed in with every test cell emptied (hoping nothing fails): still zero.
# base: release
# mutate: edit-test-cells
# expect-flags: cells-restored
# expect-failing: all
