# The true prices typed in instead of learned from the noisy meals.
# base: solution
# expect-failing: estimated_prices
# %% solution_estimated_prices
estimated_prices = np.array([150.0, 50.0, 100.0])
