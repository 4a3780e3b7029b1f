# train ignores what it is given and returns a network that solves XOR, copied from an earlier
# run: the visible XOR check passes, the hidden ones (other starts, other data) do not.
# expect-failing: train, train_xor
# %% solution_train
def train(params, X, T, lr, n_epochs):
    memorised = {"W1": np.array([[6.0, -6.0], [-6.0, 6.0], [0.0, 0.0], [0.0, 0.0]]), "b1": np.array([-3.0, -3.0, 0.0, 0.0]),
                 "W2": np.array([[9.0, 9.0, 0.0, 0.0]]), "b2": np.array([-4.5])}
    return memorised, [loss(forward(params, X)[0], T)] * n_epochs
