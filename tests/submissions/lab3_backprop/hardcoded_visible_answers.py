# loss and sgd_step return the answers of the visible checks, whatever they are given: the
# visible checks pass, the hidden ones (other inputs) do not. Training then fails, but train is the
# solution's: it does exactly what those parts make it do, so train and train_xor keep their points
# (each mistake costs once).
# expect-failing: loss, sgd_step
# %% solution_loss
def loss(Y, T):
    return 0.625
# %% solution_sgd_step
def sgd_step(params, grads, lr):
    return {"w": np.array([0.95, 2.1])}
