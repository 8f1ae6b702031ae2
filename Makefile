# Every target creates .venv from requirements.lock when it is missing or stale.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: site serve check test lint bench notices lock clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

site: $(STAMP)  ## build the public site into site/
	$(BIN)/mkdocs build --strict

serve: $(STAMP)  ## preview on http://127.0.0.1:8000, reloads when a record changes
	$(BIN)/mkdocs serve

check: $(STAMP)  ## validate every record in content/
	$(BIN)/python -m generator check

test: $(STAMP)  ## lint, then the whole test suite (browser tests included)
	$(BIN)/ruff check generator tests bench
	$(BIN)/python -m pytest

bench: $(STAMP)  ## print speed and memory figures
	$(BIN)/python -m bench

notices: $(STAMP)  ## PDFs of notices: make notices CASES="id ..." or PLATFORM=id
	$(BIN)/python -m generator notices $(if $(PLATFORM),--platform $(PLATFORM)) $(CASES)

lock:  ## re-pin requirements.lock from pyproject.toml (needs pip-tools)
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --extra dev --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links \
	  -o requirements.lock pyproject.toml

clean:
	rm -rf site build .pytest_cache
