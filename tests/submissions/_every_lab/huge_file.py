# A right notebook that writes a file far past the size limit: the write fails (the kernel's
# file size limit), full marks, flagged.
# expect-flags: file-too-large
# expect-failing:
# %% add-cell
with open("huge.bin", "wb") as f:
    for _ in range(1000):
        f.write(b"0" * 2**20)
