# Error carried forward, the part wrong: the online step forgets the factor x (w + lr * (t - x @ w)).
# first_update and online training use the student's own step and are right given it: only
# delta_rule_online_step loses its points.
# base: solution
# expect-failing: delta_rule_online_step
# %% solution_online_step
def delta_rule_online_step(w, x, t, lr):
    """New weights after one delta-rule step on the single case (x, t): w + lr * (t - x @ w) * x."""
    return w + lr * (t - x @ w)
