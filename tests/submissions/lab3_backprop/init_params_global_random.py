# Draws from np.random instead of rng: the same seed does not give the same network.
# expect-failing: init_params
# %% solution_init_params
def init_params(n_in, n_hidden, n_out, rng):
    return {"W1": np.random.normal(0, 1 / np.sqrt(n_in), (n_hidden, n_in)), "b1": np.zeros(n_hidden),
            "W2": np.random.normal(0, 1 / np.sqrt(n_hidden), (n_out, n_hidden)), "b2": np.zeros(n_out)}
