# Two commands matter: `make run` (dashboard with sample data, and the scheduler in the background)
# and `make test` (the whole suite).
# Both set up everything themselves on a machine with Python 3.11 and the package registries.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
SAMPLE ?= $(or $(CLOUDLENS_SAMPLE_DATA),../shared/data/focus-sample-data/FOCUS-1.0/focus_sample.csv)
FALLBACK_SAMPLE := tests/data/focus_small.csv

.PHONY: run test test-db lint format bench browsers clean-venv

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

run: $(VENV)/.runtime
	@sample="$(SAMPLE)"; test -f "$$sample" || sample="$(FALLBACK_SAMPLE)"; \
	$(BIN)/python -m ingestion load "$$sample" --source sample
	$(BIN)/python -m ingestion demo
	@home="$${CLOUDLENS_HOME:-.cloudlens}"; mkdir -p "$$home"; \
	$(BIN)/python scheduler.py >>"$$home/scheduler.log" 2>&1 & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null; wait $$scheduler' EXIT INT TERM; \
	echo "scheduler running in the background (pid $$scheduler), log: $$home/scheduler.log"; \
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

lint: $(VENV)/.dev
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

bench: $(VENV)/.dev
	$(BIN)/python bench/ingest.py

clean-venv:
	rm -rf $(VENV)
