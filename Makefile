# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export MPLBACKEND := Agg
export PYTHONHASHSEED := 0

.PHONY: setup demo test release check-release bench browser clean

setup: $(STAMP)

# The virtual environment, from pinned requirements; the project itself installed editable.
$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# Grade the bundled example class (built from the named example submissions) and print its table.
demo: $(STAMP)
	rm -rf build/demo
	$(PY) -m tests.example_class build/demo/submitted
	$(PY) -m autograder grade build/demo/submitted --out build/demo/out
	@echo
	@cat build/demo/out/grades.csv

test: $(STAMP)
	$(PY) -m pytest -q -n 2 --dist loadgroup tests

# Instructors: regenerate release/ from source/ after editing a lab.
release: $(STAMP)
	$(PY) -m autograder release

bench: $(STAMP)
	$(PY) bench/grading_speed.py

clean:
	rm -rf build
