# forward never returns: every cell and check that calls it is stopped at its time limit, the
# rest is graded (backward is checked with the course's own forward pass): status timeout.
# expect-status: timeout
# sandbox-only
# expect-failing: forward, train, train_xor
# %% solution_forward
def forward(params, X):
    while True:
        pass
