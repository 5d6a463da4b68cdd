# Recycling Network: `make run` shows the platform, `make test` checks it (README).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test venv lint format messages screenshots bench clean-data

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

run: venv
	$(PY) scripts/devenv.py run

test: venv
	$(PY) scripts/devenv.py test $(PYTEST_ARGS)

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: venv
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

# Regenerate the translation catalogue (the translation test expects exactly this output).
messages: venv
	$(PY) manage.py makemessages -l zh_Hans --no-location --no-obsolete --ignore=.venv --ignore=tests --ignore=bench --ignore=staticfiles --ignore=node_modules
	$(PY) manage.py compilemessages -l zh_Hans --ignore=.venv

# PNGs of the outlet screens and a report in docs/screenshots/ (a fresh test database, Chromium at 1280x800).
screenshots: venv
	.venv/bin/python scripts/screenshots.py

clean-data:
	rm -rf .data
