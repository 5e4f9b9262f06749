# Two commands for a newcomer:  make demo  (set up, import ../shared/data, make Amsterdam's output)
#                               make test  (set up, run all tests)
SHARED ?= ../shared/data
GEMEENTE ?= Amsterdam
OUT ?= veerkracht-uitvoer
export VEERKRACHT_DATA_DIR ?= $(CURDIR)/.veerkracht-data

.PHONY: setup demo test lint bench

setup:
	bash scripts/setup.sh

demo: setup
	# exit code 3: a file was refused or not recognised (listed in the table); go on
	.venv/bin/veerkracht data importeren $(SHARED) || test $$? -eq 3
	.venv/bin/veerkracht data status
	bash scripts/demo-output.sh "$(GEMEENTE)" "$(OUT)"

test: setup
	.venv/bin/python -m pytest -q
	.venv/bin/ruff check src tests benchmarks

lint:
	.venv/bin/ruff check src tests benchmarks

bench: setup
	.venv/bin/python benchmarks/bench_store.py
