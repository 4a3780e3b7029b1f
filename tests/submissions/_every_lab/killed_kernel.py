# A right notebook whose kernel is killed by a signal: restarted, cell skipped, full marks.
# expect-status: crashed
# expect-flags: suspicious-code
# expect-failing:
# %% add-cell
import os, signal
os.kill(os.getpid(), signal.SIGKILL)
