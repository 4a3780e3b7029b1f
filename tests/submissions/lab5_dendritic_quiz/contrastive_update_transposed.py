# contrastive_update returns outer(pre, post), shape (n_pre, n_post): not a weight matrix of the
# layer (one row per postsynaptic unit), 0 points.
# expect-failing: contrastive_update
# %% solution_contrastive_update
def contrastive_update(pre_free, post_free, pre_nudged, post_nudged, beta, eta):
    return eta / beta * (np.outer(pre_nudged, post_nudged) - np.outer(pre_free, post_free))
