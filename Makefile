# Two commands matter: `make run` (dashboard with sample data, and the scheduler in the background)
# and `make test` (the whole suite).
# Both set up everything themselves on a machine with Python 3.11 and the package registries.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
SAMPLE ?= $(or $(CLOUDLENS_SAMPLE_DATA),../shared/data/focus-sample-data/FOCUS-1.0/focus_sample.csv)
FALLBACK_SAMPLE := tests/data/focus_small.csv

.PHONY: run sample-path test test-db test-fast lint format bench browsers clean-venv

# Install with uv when it is on PATH, else put uv into the venv with pip, else plain pip.
define install
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@if command -v uv >/dev/null 2>&1; then uv pip install -q --python $(BIN)/python -r $(1); \
	elif $(BIN)/pip install -q uv >/dev/null 2>&1; then $(BIN)/uv pip install -q --python $(BIN)/python -r $(1); \
	else $(BIN)/pip install -q -r $(1); fi
	@touch $@
endef

$(VENV)/.runtime: requirements.txt
	$(call install,requirements.txt)

$(VENV)/.dev: requirements.txt requirements-dev.txt
	$(call install,requirements-dev.txt)

# Which sample `make run` loads: its path on stdout, what it loads and why on stderr.
define choose_sample
if [ -f "$(SAMPLE)" ]; then \
  echo "make run: loading the sample $(SAMPLE)" >&2; echo "$(SAMPLE)"; \
else \
  echo "make run: sample data $(SAMPLE) not found (the FOCUS sample is in ../shared/data," >&2; \
  echo "  which a fresh clone lacks), so loading the tiny test file $(FALLBACK_SAMPLE) instead:" >&2; \
  echo "  a few rows, a few dollars, not a real bill." >&2; \
  echo "  Set CLOUDLENS_SAMPLE_DATA=FILE (or make run SAMPLE=FILE) to load another." >&2; \
  echo "$(FALLBACK_SAMPLE)"; \
fi
endef

sample-path:
	@$(choose_sample)

# One shell, its trap set first: Ctrl-C (or any exit, at any step) stops the scheduler and, when
# Cloudlens runs on the embedded server (no DATABASE_URL), the embedded Postgres too, saying so.
run: $(VENV)/.runtime
	@scheduler=; \
	stop() { \
	  trap - EXIT INT TERM; trap "" PIPE; \
	  if [ -n "$$scheduler" ]; then kill $$scheduler 2>/dev/null; wait $$scheduler 2>/dev/null; \
	    echo "make run: stopped the scheduler (pid $$scheduler)"; fi; \
	  if [ -z "$${DATABASE_URL:-}" ]; then $(BIN)/python -m db stop-embedded; \
	  else echo "make run: DATABASE_URL is set: that server keeps running"; fi; \
	}; \
	trap 'stop; exit 130' INT TERM; trap stop EXIT; \
	sample=$$($(choose_sample)); \
	$(BIN)/python -m ingestion load "$$sample" --source sample || exit; \
	$(BIN)/python -m ingestion demo || exit; \
	home="$${CLOUDLENS_HOME:-.cloudlens}"; mkdir -p "$$home"; \
	$(BIN)/python scheduler.py >>"$$home/scheduler.log" 2>&1 & scheduler=$$!; \
	echo "scheduler running in the background (pid $$scheduler), log: $$home/scheduler.log"; \
	echo "Ctrl-C stops the dashboard, the scheduler and the embedded Postgres"; \
	$(BIN)/python -m streamlit run app.py --server.port $(PORT)

# Debian chromium for the browser tests, installed when missing (root, or sudo without password).
browsers:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO="sudo -n"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

test: $(VENV)/.dev browsers
	$(BIN)/python -m pytest -q

# The database tests again, against an existing server (TEST_DATABASE_URL), without the browser.
test-db: $(VENV)/.dev
	$(BIN)/python -m pytest -q -m "not browser"

# The pure format and rule tests (marker `fast`): no database, no browser.
test-fast: $(VENV)/.dev
	$(BIN)/python -m pytest -q -m fast

lint: $(VENV)/.dev
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

bench: $(VENV)/.dev
	$(BIN)/python bench/ingest.py

clean-venv:
	rm -rf $(VENV)
