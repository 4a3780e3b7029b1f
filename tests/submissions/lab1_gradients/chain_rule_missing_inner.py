# The chain rule without the inner derivative sigmoid'(z): dJ/da * dz/dw only.
# base: solution
# expect-failing: neuron_grads
# %% solution_neuron_grads
def neuron_grads(w, b, a_prev, y):
    """(dJ_dw, dJ_db, dJ_da_prev) for a = sigmoid(w*a_prev + b) and J = (a - y)**2, elementwise."""
    a = sigmoid(w * a_prev + b)
    dJ_da = 2 * (a - y)
    return dJ_da * a_prev, dJ_da, dJ_da * w
