# The two commands: `make run` (set up and serve with demo data) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install worker worker-pdf bench-matter-list clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

# First run: SQLite, in-process worker, demo data and demo users; DEBUG=1 unless set.
# HOST and PORT go to the commands, so that SITE_URL's default (links in e-mails and calendar
# feeds) follows them.
run: export HOST := $(HOST)
run: export PORT := $(PORT)
run: $(BIN)/.installed
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py seed_demo
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py seed_complete_demo
	@echo ""
	@echo "Fasu is starting: open http://$(HOST):$(PORT)/ and sign in with a demo login above."
	@echo ""
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(BIN)/.installed
	$(BIN)/python -m pytest

# Separate worker processes, for deployments with BROKER_URL set: the default queue,
# and the PDF queue with one LibreOffice converter per core. Each default-queue process
# also runs the schedule (legalcase/schedule.py: requeue, daily digest, re-hash, ...);
# a tick runs once however many processes and hosts there are, so no cron is needed.
worker: $(BIN)/.installed
	$(BIN)/python manage.py rundramatiq --queues default --processes 2 --threads 4

worker-pdf: $(BIN)/.installed
	$(BIN)/python manage.py rundramatiq --queues pdf --processes $$(nproc) --threads 1

bench-matter-list: $(BIN)/.installed
	$(BIN)/python bench/matter_list.py

clean:
	rm -rf $(VENV) var
