#!/usr/bin/env bash
# Set up and serve LossDesk with demo data on the embedded SQLite database:
# http://127.0.0.1:8000 (demo logins are printed the first time).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
# Without DEBUG users see the Chinese 404/500 pages; WhiteNoise serves the static files
# from the source folders outside production (settings: WHITENOISE_USE_FINDERS).
export LOSSDESK_DEBUG="${LOSSDESK_DEBUG:-0}"
uv run --locked manage.py migrate --noinput
if uv run --locked manage.py seed_demo "$@"; then
  :
else
  echo "演示数据已存在，直接启动（demo data already loaded; use the logins printed before)."
fi
exec uv run --locked manage.py runserver 127.0.0.1:8000
