# dfa_backward takes the output error as T - Y: every update points the wrong way, so every one of
# the six parameters is wrong and dfa_backward scores 0 (the notebook's three-rule run then climbs
# the loss instead of descending it, which costs nothing else: that cell is not graded).
# expect-failing: dfa_backward
# %% solution_dfa_backward
def dfa_backward(params, cache, T, B):
    E = T - cache["Y"]
    delta2 = (E @ B["B2"].T) * (1.0 - cache["H2"] ** 2)
    delta1 = (E @ B["B1"].T) * (1.0 - cache["H1"] ** 2)
    return {"W1": delta1.T @ cache["X"], "b1": delta1.sum(axis=0), "W2": delta2.T @ cache["H1"],
            "b2": delta2.sum(axis=0), "W3": E.T @ cache["H2"], "b3": E.sum(axis=0)}
