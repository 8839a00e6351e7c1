#!/usr/bin/env bash
# The whole test suite, as CI and a new developer run it (`make test`):
# system packages, a fresh virtual environment, a throwaway PostgreSQL server,
# then pytest over both store back-ends (SQLite and PostgreSQL) in one run.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/system-deps.sh
bash scripts/venv.sh test

pgdir=$(mktemp -d /tmp/missionwatch-pg.XXXXXX)
port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
trap 'bash scripts/pg-throwaway.sh stop "$pgdir"' EXIT
MISSIONWATCH_TEST_PG=$(bash scripts/pg-throwaway.sh start "$pgdir" "$port")
export MISSIONWATCH_TEST_PG
export MISSIONWATCH_TEST_BACKENDS=sqlite,postgres
export MISSIONWATCH_CACHE="${MISSIONWATCH_CACHE:-$PWD/.cache}"

.venv/bin/pytest "$@"
