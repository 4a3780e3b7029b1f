# fa_backward ignores B and sends the error back through W2.T: that is backprop again, so the
# hidden update is wrong and the network trained "by FA" never aligns with B.
# fa_backward: W2 and b2 right, W1 and b1 wrong for a random B: half. train is right given its
# parts: full. train_fa_teacher judges what FA learns, and this network does not learn it.
# expect-score: fa_backward=1.5
# expect-failing: train_fa_teacher
# %% solution_fa_backward
def fa_backward(params, cache, T, B):
    delta2 = cache["Y"] - T
    delta1 = (delta2 @ params["W2"]) * (1.0 - cache["H"] ** 2)
    return {"W1": delta1.T @ cache["X"], "b1": delta1.sum(axis=0),
            "W2": delta2.T @ cache["H"], "b2": delta2.sum(axis=0)}
