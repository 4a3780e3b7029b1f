# A right notebook that starts processes meant to outlive its kernel (a new session, a double
# fork) and to keep writing into /tmp and /dev/shm: every process in the sandbox dies with its PID
# namespace when the kernel is stopped; full marks, flagged.
# expect-flags: suspicious-code
# expect-failing:
# %% add-cell
import os, subprocess, sys
subprocess.Popen(["sleep", "3600"], start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        import time
        while True:
            for path in ("/tmp/daemon", "/dev/shm/daemon"):
                try:
                    open(path, "a").write("x")
                except OSError:
                    pass
            time.sleep(0.5)
    os._exit(0)
print("detached")
