# Two commands for a newcomer:  make demo  (set up, import ../shared/data — or fetch the demo
#                                          gemeente online without it — make Amsterdam's output)
#                               make test  (set up, run all tests)
SHARED ?= ../shared/data
GEMEENTE ?= Amsterdam
OUT ?= veerkracht-uitvoer
export VEERKRACHT_DATA_DIR ?= $(CURDIR)/.veerkracht-data

.PHONY: setup demo test lint bench

setup:
	bash scripts/setup.sh

demo: setup
	bash scripts/demo-data.sh "$(SHARED)" "$(GEMEENTE)"
	.venv/bin/veerkracht data status
	bash scripts/demo-output.sh "$(GEMEENTE)" "$(OUT)"

test: setup
	.venv/bin/python -m pytest -q
	.venv/bin/ruff check src tests benchmarks

lint:
	.venv/bin/ruff check src tests benchmarks

bench: setup
	.venv/bin/python benchmarks/bench_store.py
