# Two commands do all the set-up on a fresh machine: `make audit` and `make test`.
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup audit test bench clean

setup: $(STAMP)

# The locked set is installed as it is, without resolving again (see scripts/install-venv.sh):
# a bundled pip of any age then installs the same files, whatever is published after the lock.
$(STAMP): requirements.lock requirements-build.lock pyproject.toml
	scripts/system-deps.sh
	scripts/install-venv.sh $(VENV)
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
