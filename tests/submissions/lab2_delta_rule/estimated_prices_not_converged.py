# Too few epochs at too small a rate: the prices are still far from where the rule is heading.
# base: solution
# expect-failing: estimated_prices
# %% solution_estimated_prices
cafe_history = train_delta_rule(np.full(3, 50.0), X_cafe, t_cafe, 0.001, 20, "batch")
estimated_prices = cafe_history[-1]
