# loss kills its kernel when the grader calls it (not when the notebook or train does): the loss
# check fails, the kernel is restarted with the student's cells replayed, and every later check
# (backward, sgd_step, train...) is graded as usual: status crashed.
# expect-status: crashed
# expect-flags: suspicious-code
# sandbox-only
# expect-failing: loss
# %% solution_loss
import os, sys

def loss(Y, T):
    if sys._getframe(1).f_globals.get("__name__") == "__autograder__":
        os._exit(1)
    return float(0.5 * np.sum((T - Y) ** 2))
