# copydesk: the two commands that set everything up are `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DB ?= demo.db

.PHONY: run test test-fast lint bench bench-full bench-quality bench-spark install clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml setup.py src/copydesk/_fingerprint.c | $(BIN)/python
	$(BIN)/pip install -q -e ".[dev,bench]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BIN)/copydesk ingest --db $(DEMO_DB) src/copydesk/demo/articles.jsonl
	$(BIN)/copydesk scan --db $(DEMO_DB) --report demo-report.jsonl
	$(BIN)/copydesk outlets --db $(DEMO_DB)
	@echo
	@echo "Verdicts as JSON Lines: demo-report.jsonl. Look closer (copydesk is $(BIN)/copydesk:"
	@echo "source $(BIN)/activate puts it on your PATH):"
	@echo "  source $(BIN)/activate"
	@echo "  copydesk show --db $(DEMO_DB) cs-001      # a content-farm copy beside its source"
	@echo "  copydesk network --db $(DEMO_DB) --graphml demo-network.graphml"
	@echo "  copydesk serve --db $(DEMO_DB)         # the web app on http://127.0.0.1:8000/"

# The browser tests need Debian's Chromium (.ci/run installs it). Without it they would be
# skipped: make test stops instead, unless COPYDESK_SKIP_BROWSER=1 says that is intended.
CHROMIUM ?= /usr/bin/chromium

test: $(STAMP)
	@if [ ! -x $(CHROMIUM) ]; then \
	    if [ "$$COPYDESK_SKIP_BROWSER" = 1 ]; then \
	        echo "*** WARNING: $(CHROMIUM) not found: the browser tests are SKIPPED (COPYDESK_SKIP_BROWSER=1)"; \
	    else \
	        echo "*** ERROR: $(CHROMIUM) not found: the browser tests cannot run."; \
	        echo "*** Install it (apt-get install -y chromium, as .ci/run does) or run"; \
	        echo "*** COPYDESK_SKIP_BROWSER=1 make test to skip them knowingly."; \
	        exit 1; \
	    fi; \
	fi
	$(BIN)/ruff check src tests bench
	$(BIN)/pytest -q

test-fast: $(STAMP)
	$(BIN)/pytest -q -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

# Speed against datasketch on the real corpora, accuracy on the labelled collection, and
# the 21k and 200k scale tiers; bench-full adds the 1M tier.
bench: bench-quality
	$(BIN)/python bench/run_scale.py --tiers 21k,200k

bench-full: bench-quality
	$(BIN)/python bench/run_scale.py --tiers 21k,200k,1m

# the Spark engine (local[2]) beside the embedded one, 21k and 200k tiers
bench-spark: $(STAMP)
	$(BIN)/python bench/run_spark.py --tiers 21k,200k

# speed and accuracy on the real corpus, HTML extraction: the parts both runs share
bench-quality: $(STAMP)
	$(BIN)/python bench/run_core.py
	$(BIN)/python bench/run_accuracy.py
	$(BIN)/python bench/run_html.py
	$(BIN)/python bench/run_realworld.py
	$(BIN)/python bench/run_semantic.py

clean:
	rm -rf $(VENV) $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm demo-report.jsonl
