# fgsm steps down the loss (X - eps * sign): that makes the network more sure, not less.
# expect-failing: fgsm
# %% solution_fgsm
def fgsm(params, X, T, eps):
    return X - eps * np.sign(input_gradient(params, X, T))
