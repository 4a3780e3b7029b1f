# The other half of the pair: sigmoid and sigmoid_prime right, neuron_grads itself wrong (dJ/da
# taken as (a - y), the 2 dropped): neuron_grads loses all three parts, nothing else is touched.
# base: solution
# expect-failing: neuron_grads
# %% solution_neuron_grads
def neuron_grads(w, b, a_prev, y):
    """(dJ_dw, dJ_db, dJ_da_prev) for a = sigmoid(w*a_prev + b) and J = (a - y)**2, elementwise."""
    z = w * a_prev + b
    common = (sigmoid(z) - y) * sigmoid_prime(z)
    return common * a_prev, common, common * w
