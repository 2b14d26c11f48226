.PHONY: demo test test-unit bench
demo:  ## set up and serve the demo (SQLite, demo data, gunicorn on :8000)
	./scripts/demo.sh
test:  ## set up and run every test against PostgreSQL and Redis
	./scripts/test.sh
test-unit:  ## run tests/unit only: pure libraries and domain rules, no PostgreSQL, Redis or browser
	./scripts/setup-venv.sh dev && .venv/bin/python -m pytest tests/unit
bench: ## run the benchmarks (results in bench/results, summary in docs/benchmarks.md)
	./scripts/setup-venv.sh dev && .venv/bin/python -m bench.run_all
