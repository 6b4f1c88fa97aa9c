# Thin targets; each sets itself up first (scripts/setup.sh is idempotent and fast
# once done).
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=
# One pytest-xdist worker per core; a test file stays on one worker, so its module
# fixtures (toy data, toy runs) are built once; files go out in the order
# tests/conftest.py gives them, the longest first. PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= auto
PYTEST_PARALLEL := -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder

.PHONY: setup test test-fast demo bench lint gpu-check

setup:
	@bash scripts/setup.sh

test: setup
	$(PY) -m pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

test-fast: setup
	$(PY) -m pytest $(PYTEST_PARALLEL) -m "not slow" $(PYTEST_ARGS)

demo: setup
	$(VENV)/bin/dar-transfer demo --out work_dirs/demo

bench: setup
	$(PY) benchmarks/bench_overhead.py
	$(PY) benchmarks/bench_data_loading.py
	$(PY) benchmarks/bench_wallclock.py
	$(PY) benchmarks/bench_loader.py
	$(PY) benchmarks/bench_distributed.py

gpu-check: setup
	@bash scripts/gpu_check.sh

lint: setup
	$(VENV)/bin/ruff check dar_transfer tests benchmarks
