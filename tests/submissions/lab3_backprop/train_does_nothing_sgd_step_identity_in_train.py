# A train that never updates (the start returned, its loss repeated), and an sgd_step right in its
# own check that returns its input unchanged once train has been called as the check calls it (a
# few epochs): the student's own parts chained then "agree" with the train that does nothing.
# Error carried forward drives the parts in a clean kernel (restarted, the cells replayed), where
# sgd_step updates again: 0 for train and train_xor, sgd_step keeps its point. Only a kernel can be
# restarted: graded in the sandbox only.
# expect-failing: train, train_xor
# sandbox-only
# %% solution_sgd_step
_checked = [False]


def sgd_step(params, grads, lr):
    if _checked[0]:
        return {k: np.array(v, dtype=float) for k, v in params.items()}
    return {k: params[k] - lr * grads[k] for k in params}
# %% solution_train
def train(params, X, T, lr, n_epochs):
    if n_epochs <= 5:
        _checked[0] = True
    start = loss(forward(params, X)[0], T)
    return {k: np.array(v, dtype=float) for k, v in params.items()}, [start] * n_epochs
