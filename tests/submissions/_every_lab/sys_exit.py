# A right notebook that calls sys.exit() at the end: status crashed (it exited), full marks.
# expect-status: crashed
# expect-flags: suspicious-code
# expect-failing:
# %% add-cell
import sys
sys.exit("done for today")
