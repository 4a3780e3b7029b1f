# dfa_backward sends the first hidden layer's error back through the second layer
# ((delta2 @ W2) * tanh'), as feedback alignment layer by layer does, instead of straight from the
# output error through B["B1"]. The output layer and the second hidden layer are right (4 of the 6
# parameters), W1 and b1 wrong: 4/6 of 2 points.
# expect-score: dfa_backward=1.3333
# %% solution_dfa_backward
def dfa_backward(params, cache, T, B):
    E = cache["Y"] - T
    delta2 = (E @ B["B2"].T) * (1.0 - cache["H2"] ** 2)
    delta1 = (delta2 @ params["W2"]) * (1.0 - cache["H1"] ** 2)
    return {"W1": delta1.T @ cache["X"], "b1": delta1.sum(axis=0), "W2": delta2.T @ cache["H1"],
            "b2": delta2.sum(axis=0), "W3": E.T @ cache["H2"], "b3": E.sum(axis=0)}
