# contrastive_update subtracts the phases the wrong way round (free minus nudged): every weight
# moves up the loss, neither the direction nor the size is right: 0 points (the notebook's
# training run then climbs and stops itself, which costs nothing else: it is not graded).
# expect-failing: contrastive_update
# %% solution_contrastive_update
def contrastive_update(pre_free, post_free, pre_nudged, post_nudged, beta, eta):
    return eta / beta * (np.outer(post_free, pre_free) - np.outer(post_nudged, pre_nudged))
