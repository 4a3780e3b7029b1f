# Updates the weights in place: the caller's params change (so train changes the params it is given too).
# expect-failing: sgd_step, train
# %% solution_sgd_step
def sgd_step(params, grads, lr):
    for k in params:
        params[k] -= lr * grads[k]
    return params
