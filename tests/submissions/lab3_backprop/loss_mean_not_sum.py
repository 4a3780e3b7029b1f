# The mean instead of half the sum: loss and the losses that train reports are wrong.
# expect-failing: loss, train
# %% solution_loss
def loss(Y, T):
    return float(np.mean((T - Y) ** 2))
