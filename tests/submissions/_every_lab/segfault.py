# A right notebook that segfaults the interpreter: restarted, cell skipped, full marks, crashed.
# expect-status: crashed
# expect-flags: suspicious-code
# expect-failing:
# %% add-cell
import ctypes
ctypes.string_at(0)
