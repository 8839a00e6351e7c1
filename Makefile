# Two commands for a new machine: `make demo` and `make test`.
.PHONY: demo test test-fast bench lint docs clean

DB ?= sqlite:///missionwatch.db
MW = .venv/bin/missionwatch

demo:
	bash scripts/venv.sh
	$(MW) ingest data/samples --db $(DB)
	$(MW) reports --db $(DB)
	$(MW) brief --db $(DB) --as-of 2025-04-15 --format md --output brief.md
	@echo "brief written to brief.md"

test:
	bash scripts/test.sh

# Local loop: SQLite only, no slow or browser suites.
test-fast:
	bash scripts/venv.sh test
	MISSIONWATCH_TEST_BACKENDS=sqlite .venv/bin/pytest -m "not slow and not browser" -x -q

bench:
	bash scripts/venv.sh test
	.venv/bin/python -m bench.run

lint:
	.venv/bin/ruff check src tests bench
	.venv/bin/mypy

docs:
	.venv/bin/python -c "import missionwatch.settings as s; open('docs/settings.md','w').write(s.docs_markdown())"

clean:
	rm -rf .venv missionwatch.db missionwatch.db-wal missionwatch.db-shm brief.md .cache
