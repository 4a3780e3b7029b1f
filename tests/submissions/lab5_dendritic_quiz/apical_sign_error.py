# Inhibition subtracted although its sign is already in W_inter.
# expect-failing: apical_potential
# %% solution_apical_potential
def apical_potential(W_down, r_above, W_inter, r_inter):
    return W_down @ r_above - W_inter @ r_inter
