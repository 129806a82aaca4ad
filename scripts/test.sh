#!/usr/bin/env bash
# Run the whole test suite: on SQLite by default, on PostgreSQL when DATABASE_URL says so.
# Extra arguments go to pytest (e.g. scripts/test.sh lossdesk/claims -x).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
exec uv run --locked pytest -n 2 "$@"
