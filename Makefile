# One entry point for people and CI. `make report` and `make test` set everything up themselves.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
KERNEL := arabic-themes
CORPUS ?=
OUT ?= reports
WORKERS ?= 1
LABELS ?=
# The peer toolkit for the equivalence tests and benchmark: installed without its heavy
# dependencies (models, torch); only camel_tools.utils is used.
PEER := camel-tools==1.6.0
STAMP := $(VENV)/.installed

export MPLBACKEND := Agg
export PYTHONHASHSEED := 0

.PHONY: install report report-code test lint format lab bench dist clean

install: $(STAMP)

$(STAMP): pyproject.toml Makefile setup.py analysis/_scan.c
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is needed, found " + sys.version.split()[0])'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@# the distribution was called "analysis" before it became "arabic-themes"
	@$(PY) -m pip uninstall --quiet --yes analysis 2>/dev/null || true
	$(PY) -m pip install --quiet -e '.[dev,dask,peer]'
	$(PY) -m pip install --quiet --no-deps $(PEER)
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name 'Python (arabic-themes)' >/dev/null
	touch $@

report: install
	$(PY) -m analysis report $(if $(CORPUS),--corpus '$(CORPUS)') $(if $(LABELS),--labels '$(LABELS)') --out '$(OUT)' --workers $(WORKERS)

report-code: install
	$(PY) -m analysis report $(if $(CORPUS),--corpus '$(CORPUS)') $(if $(LABELS),--labels '$(LABELS)') --out '$(OUT)' --workers $(WORKERS) --show-code

test: install
	$(BIN)/ruff check analysis tests benchmarks notebooks setup.py
	$(BIN)/ruff format --check analysis tests benchmarks notebooks setup.py
	$(PY) -m pytest

lint: install
	$(BIN)/ruff check analysis tests benchmarks notebooks setup.py
	$(BIN)/ruff format --check analysis tests benchmarks notebooks setup.py

format: install
	$(BIN)/ruff check --fix analysis tests benchmarks notebooks setup.py
	$(BIN)/ruff format analysis tests benchmarks notebooks setup.py

lab: install
	$(BIN)/jupyter lab notebooks

bench: install
	$(PY) benchmarks/bench_ratio.py $(if $(CORPUS),'$(CORPUS)')

# The source distribution and the wheel (notebooks and seeds inside: setup.py), into dist/.
dist: install
	$(PY) -m build --outdir dist .

clean:
	find reports -mindepth 1 ! -name README.md -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache .hypothesis build dist *.egg-info benchmarks/results
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
