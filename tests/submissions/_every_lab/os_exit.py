# A right notebook that kills its own kernel with os._exit(1): restarted, cell skipped, full
# marks, status crashed.
# expect-status: crashed
# expect-flags: suspicious-code
# expect-failing:
# %% add-cell
import os
os._exit(1)
