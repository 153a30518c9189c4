# make test / make demo each work alone on a fresh machine: venv, install, weights, then run.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_OUT ?= runs/demo
PYTEST_ARGS ?=
WEB_ARGS ?=

.PHONY: install weights test demo bench web clean-venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check torch==2.13.0
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

weights: $(STAMP)
	$(BIN)/python -m tools.weights fetch

test: weights
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

demo: weights
	$(BIN)/python -m agent.demo --out $(DEMO_OUT)

web: weights
	$(BIN)/python -m agent.web $(WEB_ARGS)

bench: weights
	$(BIN)/python benchmarks/bench_segmenter.py
	$(BIN)/python benchmarks/bench_agent.py

clean-venv:
	rm -rf $(VENV)
