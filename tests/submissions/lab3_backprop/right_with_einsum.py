# A correct backward with einsum and the sigmoid derivative from Z: full marks.
# expect-failing:
# %% solution_backward
def backward(params, cache, T):
    s1, s2 = sigmoid(cache["Z1"]), sigmoid(cache["Z2"])
    d2 = (cache["Y"] - T) * s2 * (1 - s2)
    d1 = np.einsum("nk,kh->nh", d2, params["W2"]) * s1 * (1 - s1)
    return {"W1": np.einsum("nh,nd->hd", d1, cache["X"]), "b1": d1.sum(0),
            "W2": np.einsum("nk,nh->kh", d2, cache["H"]), "b2": d2.sum(0)}
