# forward's cache lacks Z1 and Z2; everything else (and the given backward) still works.
# expect-failing: forward
# %% solution_forward
def forward(params, X):
    H = sigmoid(X @ params["W1"].T + params["b1"])
    Y = sigmoid(H @ params["W2"].T + params["b2"])
    return Y, {"X": X, "H": H, "Y": Y}
