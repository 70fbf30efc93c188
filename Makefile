# Set-up and tests on a fresh machine.  `make demo` and `make test` install what they need.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: install demo test browser-deps bench clean

$(BIN)/newsmirror: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/newsmirror

demo: install
	$(BIN)/newsmirror demo $(DIR)

# Headless Chromium, its driver and a Chinese font for the browser tests (Debian packages).
browser-deps:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null && \
	  fc-list :lang=zh | grep -q . || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-wqy-microhei; }

test: install browser-deps
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider $(PYTEST_ARGS)

bench: install
	for f in benchmarks/*_benchmark.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) build dist src/*.egg-info
