# The output error multiplied by a tanh derivative, as if the output layer were tanh too: wrong
# W2 and b2 (and so W1) for every B; FA then learns the teacher task too slowly.
# train is right given its parts (error carried forward): full.
# expect-failing: fa_backward, fa_backward_output_layer, train_fa_teacher
# %% solution_fa_backward
def fa_backward(params, cache, T, B):
    delta2 = (cache["Y"] - T) * (1.0 - cache["Y"] ** 2)
    delta1 = (delta2 @ B.T) * (1.0 - cache["H"] ** 2)
    return {"W1": delta1.T @ cache["X"], "b1": delta1.sum(axis=0),
            "W2": delta2.T @ cache["H"], "b2": delta2.sum(axis=0)}
