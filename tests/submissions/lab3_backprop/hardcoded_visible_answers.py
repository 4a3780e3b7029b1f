# loss and sgd_step return the answers of the visible checks, whatever they are given: the
# visible checks pass, the hidden ones (other inputs) do not, nor does training.
# expect-failing: loss, sgd_step, train, train_xor
# %% solution_loss
def loss(Y, T):
    return 0.625
# %% solution_sgd_step
def sgd_step(params, grads, lr):
    return {"w": np.array([0.95, 2.1])}
