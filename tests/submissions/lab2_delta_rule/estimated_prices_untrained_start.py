# estimated_prices = (50, 50, 50): the untrained start, row 0 of every history the student's own
# training gives. Error carried forward accepts only a learned row of that training (100 epochs
# or more, or the weights no longer moving), never its start: 0 for estimated_prices only.
# expect-failing: estimated_prices
# %% solution_estimated_prices
estimated_prices = np.array([50.0, 50.0, 50.0])
