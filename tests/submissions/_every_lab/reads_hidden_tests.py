# The release plus code that hunts the disk for the hidden checks, the reference solutions, the
# source notebooks and the gradebook (next to the Python it runs on, in /tmp, in the working
# folder), and would run the reference in place of its own functions: none of them are visible
# from the kernel, so zero; flagged.
# base: release
# expect-flags: suspicious-code
# expect-failing: all
# %% add-cell
import glob, os, sys
project = os.path.dirname(os.path.dirname(os.path.dirname(sys.executable)))
found = []
for pattern in [f"{project}/autograder/reference/*.py", f"{project}/autograder/checks/*.py",
                f"{project}/source/*/*.ipynb", f"{project}/**/gradebook.db", "/tmp/*/gradebook.db",
                "/tmp/*/.units/*/*.json", "../*/*.ipynb", "/dev/shm/**/*.py"]:
    found += glob.glob(pattern, recursive=True)
for path in found:
    if path.endswith(".py"):
        exec(open(path).read(), globals())
print("found", found)
