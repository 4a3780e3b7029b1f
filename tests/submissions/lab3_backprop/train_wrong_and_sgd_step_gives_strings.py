# sgd_step returns text for every parameter, and train (its own update, doubling the step) is wrong:
# the check of train then carries the error forward through the student's own parts, which give
# strings where it computes with numbers. It must fail train as any wrong train, with a message, and
# never "fail itself (tell your instructor)".
# expect-failing: sgd_step, train
# %% solution_sgd_step
def sgd_step(params, grads, lr):
    return {k: "a string, not an array" for k in params}
# %% solution_train
def train(params, X, T, lr, n_epochs):
    params = {k: v.copy() for k, v in params.items()}
    losses = []
    for _ in range(n_epochs):
        Y, cache = forward(params, X)
        losses.append(loss(Y, T))
        grads = backward(params, cache, T)
        params = {k: params[k] - 2 * lr * grads[k] for k in params}
    return params, losses
