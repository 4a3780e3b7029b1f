# fgsm steps along the gradient itself, not its sign: every pixel moves by a different amount.
# expect-failing: fgsm
# %% solution_fgsm
def fgsm(params, X, T, eps):
    return X + eps * input_gradient(params, X, T)
