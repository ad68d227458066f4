# voucher-check: the front door. `make demo` and `make test` set everything up first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SYSTEM_PACKAGES := tesseract-ocr tesseract-ocr-chi-sim fonts-wqy-zenhei fonts-wqy-microhei \
                   fonts-arphic-uming fonts-arphic-ukai chromium
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export DO_NOT_TRACK := 1
export OMP_THREAD_LIMIT := 1

.PHONY: setup system-packages practice-packages demo screenshots test check corpus accuracy bench practice fuzz clean

setup: system-packages $(STAMP)

system-packages:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null \
	  | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:" $$missing; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV) || { DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3-venv >/dev/null && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

PRACTICE := ../shared/practice
REAL := ../shared/real
PRACTICE_PACKAGES := fonts-noto-cjk
SEED ?= 4711

practice-packages:
	@dpkg-query -W -f='$${Status}\n' $(PRACTICE_PACKAGES) 2>/dev/null | grep -q "install ok installed" || { \
	  echo "installing system packages:" $(PRACTICE_PACKAGES); \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(PRACTICE_PACKAGES) >/dev/null; }

# 8 applications of the independent practice corpus (SEED=n), through the real batch, scored
practice: setup practice-packages
	@test -d $(PRACTICE) || { echo "$(PRACTICE) is not here"; exit 2; }
	@dir=$$(mktemp -d /tmp/practice-$(SEED)-XXXX); \
	$(BIN)/python $(PRACTICE)/gen.py $$dir/inbox --seed $(SEED) --count 8 >/dev/null && \
	$(BIN)/voucher-check run $$dir/inbox --out $$dir/out >$$dir/run.log 2>&1 && \
	$(BIN)/python $(PRACTICE)/score.py $$dir/inbox $$dir/out --details; \
	echo "inbox, outputs and the run's log: $$dir"

demo: setup
	$(BIN)/voucher-check demo --out out/demo

# the pictures of docs/report.md, from the demo batch
screenshots: demo
	$(BIN)/python -m tools.screenshots out/demo --write docs/img \
	  APP-2025-0010 APP-2025-0005 APP-2025-0005#contract-1

# our corpus (every engine and preprocessing step), the practice corpus from SEED and the
# real documents, each field right / wrong / missing
accuracy: setup practice-packages
	@dir=$$(mktemp -d /tmp/accuracy-$(SEED)-XXXX); \
	extra=""; \
	if [ -d $(PRACTICE) ]; then $(BIN)/python $(PRACTICE)/gen.py $$dir/inbox --seed $(SEED) --count 8 >/dev/null && extra="--practice $$dir"; fi; \
	if [ -d $(REAL) ]; then extra="$$extra --real $(REAL)"; fi; \
	$(BIN)/python -m tools.evaluate --matrix $$extra --write docs/accuracy.md

bench: setup
	$(BIN)/python -m tools.bench --write docs/bench.md

# a bounded fuzz run of the readers on mutated sample files (MINUTES=3); not part of make test
MINUTES ?= 3
fuzz: setup
	$(BIN)/python -m tools.fuzz --minutes $(MINUTES)

test: setup
	$(BIN)/python -m pytest -q --numprocesses auto --maxprocesses 4 --dist loadfile

check: setup
	$(BIN)/ruff check .
	$(BIN)/mypy model policy intake reading extractors validators outputs checking flows tools sample_docs

corpus: setup
	$(BIN)/python -m sample_docs.gen

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
