# The release notebook submitted untouched: every graded cell scores 0.
# base: release
# expect-failing: predict, squared_error, error_gradient, delta_rule_online_step, first_update, delta_rule_batch_step, train_delta_rule_batch, train_delta_rule_online, max_stable_lr, estimated_prices, q_cerebellum
