# input_gradient goes back through W2 and W1 but forgets the tanh derivative between them. fgsm is
# right given that (its own) input_gradient: error carried forward, fgsm keeps its points.
# expect-failing: input_gradient
# %% solution_input_gradient
def input_gradient(params, X, T):
    Y, cache = forward(params, X)
    return ((Y - T) @ params["W2"]) @ params["W1"]
