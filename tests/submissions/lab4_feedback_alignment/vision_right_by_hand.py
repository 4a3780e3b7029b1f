# The four vision functions written out by hand: the chain rule with einsum and the tanh derivative
# from Z1, the sign with np.where, the correlation from centred and normalised rows, the upper
# triangle by a mask: all correct, full marks.
# expect-failing:
# %% solution_input_gradient
def input_gradient(params, X, T):
    Z1 = X @ params["W1"].T + params["b1"]
    Y = np.tanh(Z1) @ params["W2"].T + params["b2"]
    back = np.einsum("nk,kh->nh", Y - T, params["W2"]) / np.cosh(Z1) ** 2
    return np.einsum("nh,hd->nd", back, params["W1"])
# %% solution_fgsm
def fgsm(params, X, T, eps):
    g = input_gradient(params, X, T)
    return X + eps * np.where(g > 0, 1.0, np.where(g < 0, -1.0, 0.0))
# %% solution_rdm
def rdm(H):
    centred = H - H.mean(axis=1, keepdims=True)
    unit = centred / np.sqrt((centred ** 2).sum(axis=1, keepdims=True))
    return 1.0 - unit @ unit.T
# %% solution_rsa_similarity
def rsa_similarity(rdm_a, rdm_b):
    n = rdm_a.shape[0]
    above = np.arange(n)[:, None] < np.arange(n)[None, :]
    a, b = rdm_a[above], rdm_b[above]
    a, b = a - a.mean(), b - b.mean()
    return float(a @ b / np.sqrt((a @ a) * (b @ b)))
