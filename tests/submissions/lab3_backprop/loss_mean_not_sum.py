# The mean instead of half the sum: loss fails (caught on cases with N * K > 1). The losses train
# reports are the student's own loss's: right given its parts, so train keeps its points.
# expect-failing: loss
# %% solution_loss
def loss(Y, T):
    return float(np.mean((T - Y) ** 2))
