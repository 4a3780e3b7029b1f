# The release notebook handed in unchanged: every check fails, nothing crashes.
# base: release
# expect-failing: init_params, forward, loss, backward, sgd_step, train, train_xor
