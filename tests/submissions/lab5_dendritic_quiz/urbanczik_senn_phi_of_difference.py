# phi applied to the difference of potentials instead of the difference of rates.
# expect-failing: urbanczik_senn_update
# %% solution_urbanczik_senn_update
def urbanczik_senn_update(eta, u_soma, v_basal, r_pre, phi, g_lk=0.1, g_b=1.0, g_a=0.8):
    return eta * np.outer(phi(u_soma - dendritic_prediction(v_basal, g_lk, g_b, g_a)), r_pre)
