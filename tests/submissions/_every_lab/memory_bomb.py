# A right notebook with a cell that eats memory until the kernel's limit: it fails with a
# MemoryError in the kernel, the grader survives: full marks, status memory.
# expect-status: memory
# expect-failing:
# %% add-cell
hog = []
while True:
    hog.append(bytearray(50 * 2**20))
