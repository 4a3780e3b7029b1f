# Right numbers, but the output error is computed in place in cache["Y"] (Y -= T).
# expect-failing: fa_backward
# %% solution_fa_backward
def fa_backward(params, cache, T, B):
    delta2 = cache["Y"]
    delta2 -= T
    delta1 = (delta2 @ B.T) * (1.0 - cache["H"] ** 2)
    return {"W1": delta1.T @ cache["X"], "b1": delta1.sum(axis=0),
            "W2": delta2.T @ cache["H"], "b2": delta2.sum(axis=0)}
