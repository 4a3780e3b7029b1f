# The step taken the wrong way: w - lr * (t - x @ w) * x.
# base: solution
# expect-failing: first_update
# %% solution_first_update
w, x = np.array([50.0, 50.0, 50.0]), np.array([2.0, 5.0, 3.0])
first_update = w - (1 / 35) * (850 - x @ w) * x
