# The conductances are not passed on: dendritic_prediction always uses the defaults.
# expect-failing: urbanczik_senn_update
# %% solution_urbanczik_senn_update
def urbanczik_senn_update(eta, u_soma, v_basal, r_pre, phi, g_lk=0.1, g_b=1.0, g_a=0.8):
    return eta * np.outer(phi(u_soma) - phi(dendritic_prediction(v_basal)), r_pre)
