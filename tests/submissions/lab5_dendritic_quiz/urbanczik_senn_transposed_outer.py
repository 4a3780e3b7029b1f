# outer(r_pre, error): one row per presynaptic neuron, the transpose of a weight change.
# expect-failing: urbanczik_senn_update
# %% solution_urbanczik_senn_update
def urbanczik_senn_update(eta, u_soma, v_basal, r_pre, phi, g_lk=0.1, g_b=1.0, g_a=0.8):
    error = phi(u_soma) - phi(dendritic_prediction(v_basal, g_lk, g_b, g_a))
    return eta * np.outer(r_pre, error)
