# The release plus code that walks every folder it can see for another copy of the course (a
# second checkout, a home folder, /srv, /opt, /tmp, /dev/shm) and runs any reference or check
# it finds in place of its own functions: the sandbox's file system is an allow-list (/usr, the
# interpreter, the virtualenv, its own home); nothing is found, zero; flagged.
# base: release
# expect-flags: suspicious-code
# expect-failing: all
# %% add-cell
import os
found = []
for top in ("/", "/work", "/root", "/home", "/srv", "/opt", "/tmp", "/dev/shm", "/run", "/mnt", "/var"):
    for folder, subdirs, files in os.walk(top):
        if folder.startswith(("/usr", "/proc", "/sys")) or "site-packages" in folder:
            subdirs[:] = []
            continue
        found += [os.path.join(folder, f) for f in files
                  if f.endswith(".py") and ("reference" in folder or f.startswith("lab")) or f.endswith(".ipynb")]
for path in found:
    if path.endswith(".py"):
        exec(open(path).read(), globals())
print("found", found)
