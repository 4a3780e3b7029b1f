# dJ_db right, dJ_dw right, dJ_da_prev multiplied by a_prev instead of w: one of three parts lost.
# base: solution
# expect-score: neuron_grads=2.6667
# %% solution_neuron_grads
def neuron_grads(w, b, a_prev, y):
    """(dJ_dw, dJ_db, dJ_da_prev) for a = sigmoid(w*a_prev + b) and J = (a - y)**2, elementwise."""
    z = w * a_prev + b
    common = 2 * (sigmoid(z) - y) * sigmoid_prime(z)
    return common * a_prev, common, common * a_prev
