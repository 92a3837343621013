# motcua — the two front doors are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Where the demo is served: the signed documents' QR codes and the demo VNeID's and the demo
# bank's returns point there, so another HOST or PORT moves them too (or set it yourself).
MOTCUA_PUBLIC_URL ?= http://$(HOST):$(PORT)
PYTEST_ARGS ?=
# manage.py defaults to the production settings (DEBUG off, secrets required); the embedded
# development setup asks for its own explicitly.
LOCAL := DJANGO_SETTINGS_MODULE=config.settings.local MOTCUA_PUBLIC_URL=$(MOTCUA_PUBLIC_URL)
# pytest reads config.settings.test from pyproject, unless the environment names other
# settings (an exported local setup): the test targets say it again.
TESTING := DJANGO_SETTINGS_MODULE=config.settings.test

.PHONY: install chromium poppler fonts pango system-packages run serve migrate demo test test-fast test-browser lint format bench clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) fonts pango

# Browser tests drive Debian's Chromium (no browser downloads on this network).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

# Independent signature checks run poppler's pdfsig; the signing stamp needs DejaVu Sans
# (every Vietnamese glyph). Both from Debian, installed when missing.
poppler:
	@command -v pdfsig >/dev/null 2>&1 || { \
	  echo "Installing Debian's poppler-utils (pdfsig) for the signature tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq poppler-utils >/dev/null; }

fonts:
	@test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || { \
	  echo "Installing Debian's fonts-dejavu-core for the signing stamp"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq fonts-dejavu-core >/dev/null; }
	@test -f /usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf || { \
	  echo "Installing Debian's fonts-liberation2 (Times New Roman metrics) for the official forms"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq fonts-liberation2 >/dev/null; }

# The official forms are rendered by WeasyPrint, which loads Pango and HarfBuzz from Debian.
pango:
	@ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0.so.0 && \
	  ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset.so.0 || { \
	  echo "Installing Debian's Pango and HarfBuzz for WeasyPrint (the official forms)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq libpango-1.0-0 \
	    libpangoft2-1.0-0 libharfbuzz-subset0 >/dev/null; }

system-packages: poppler fonts pango

migrate: install
	$(LOCAL) $(PY) manage.py migrate --noinput

demo: migrate
	$(LOCAL) $(PY) manage.py demo_pki
	$(LOCAL) $(PY) manage.py load_demo

run: demo
	@echo "motcua: serving http://$(HOST):$(PORT)/ (admin http://$(HOST):$(PORT)/admin/, demo accounts above)"
	$(LOCAL) $(PY) manage.py runserver $(HOST):$(PORT)

serve: run

# Every test, the browser tests included (Chromium is installed when missing).
test: install chromium system-packages
	$(TESTING) $(PY) -m pytest $(PYTEST_ARGS)

# A quick local run without the browser tests.
test-fast: install system-packages
	$(TESTING) $(PY) -m pytest -m "not browser" $(PYTEST_ARGS)

test-browser: install chromium system-packages
	$(TESTING) $(PY) -m pytest -m browser $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy motcua config
	$(BIN)/lint-imports
	$(PY) manage.py makemigrations --check --dry-run --settings=config.settings.test

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(TESTING) $(PY) -m bench.run

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
