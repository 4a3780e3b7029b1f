# first_update = zeros, and a delta_rule_online_step that counts its calls on the notebook's first
# step: right the first time (its own check), zeros from then on, so that the carried-forward call
# "agrees" with zeros. The carried-forward call runs in a clean kernel (restarted, the cells
# replayed), where the count starts over: 0 for first_update only. Only a kernel can be restarted:
# graded in the sandbox only.
# expect-failing: first_update
# sandbox-only
# %% solution_online_step
_first_step_calls = [0]


def delta_rule_online_step(w, x, t, lr):
    if np.array_equal(x, [2.0, 5.0, 3.0]) and np.array_equal(w, [50.0, 50.0, 50.0]) and t == 850.0:
        _first_step_calls[0] += 1
        if _first_step_calls[0] > 1:
            return np.zeros(3)
    return w + lr * (t - x @ w) * x
# %% solution_first_update
first_update = np.zeros(3)
