# Two commands do all the set-up on a fresh machine: `make audit` and `make test`.
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup audit test bench clean

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	scripts/system-deps.sh
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

## The main job: a full audit of sample_exports/ with the sample contracts (see vendoraudit.toml).
audit: setup
	$(BIN)/vendoraudit audit

## The test suite (also what CI runs).
test: setup
	scripts/system-deps.sh --test
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) out
