# contrastive_update forgets to divide by beta: its direction is right (the nudged phase's
# correlation minus the free phase's), its size is not, so the step grows with the nudge's
# strength: the direction part only, 1 of 2 points.
# expect-score: contrastive_update=1
# %% solution_contrastive_update
def contrastive_update(pre_free, post_free, pre_nudged, post_nudged, beta, eta):
    return eta * (np.outer(post_nudged, pre_nudged) - np.outer(post_free, pre_free))
