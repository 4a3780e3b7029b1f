import os

os.environ.setdefault("MPLBACKEND", "Agg")
# CI runs `make test` with CI=true, where `autograder grade` refuses course.toml's demo secret. The
# tests grade with it on purpose (their expected scores are for the demo secret's inputs); the ones
# about that refusal set CI themselves.
os.environ.pop("CI", None)
