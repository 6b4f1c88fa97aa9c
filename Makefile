# Thin targets; each sets itself up first (scripts/setup.sh is idempotent and fast
# once done).
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: setup test test-fast demo bench lint

setup:
	@bash scripts/setup.sh

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: setup
	$(PY) -m pytest -m "not slow" $(PYTEST_ARGS)

# Until the end-to-end demo lands, the main job is the planner on the paper's
# ImageNet ResNet-50 settings (both readings of Algorithm 1).
PAPER_IMAGENET := --epochs 120 --warmup 10 --interval 2 --keep 0.9 --active 10 --refresh 30 60 90
demo: setup
	$(VENV)/bin/dar-transfer plan $(PAPER_IMAGENET)
	$(VENV)/bin/dar-transfer plan $(PAPER_IMAGENET) --semantics paper-literal
	$(VENV)/bin/dar-transfer plan --epochs 120 --warmup 10 --interval 2 --target-cost 0.86 --active 10 --refresh 30 60 90

bench: setup
	$(PY) benchmarks/bench_overhead.py

lint: setup
	$(VENV)/bin/ruff check dar_transfer tests benchmarks
