# dfa_backward forgets the tanh derivative (1 - H**2) in both hidden layers: the output layer is
# right (W3, b3: 2 of the 6 parameters), both hidden layers wrong: 2/6 of 2 points.
# expect-score: dfa_backward=0.6667
# %% solution_dfa_backward
def dfa_backward(params, cache, T, B):
    E = cache["Y"] - T
    delta2 = E @ B["B2"].T
    delta1 = E @ B["B1"].T
    grads = {"W3": E.T @ cache["H2"], "b3": E.sum(axis=0)}
    grads.update({"W2": delta2.T @ cache["H1"], "b2": delta2.sum(axis=0)})
    grads.update({"W1": delta1.T @ cache["X"], "b1": delta1.sum(axis=0)})
    return grads
