#!/usr/bin/env bash
# Production smoke test: the documented start-up (docs/deployment.md) on a fresh PostgreSQL
# database `lossdesk_smoke` and the Redis cache at 127.0.0.1:6379 (under a key prefix of this
# run, deleted at the end) — migrate, collectstatic into a temporary STATIC_ROOT, gunicorn
# on a free localhost port with production settings — then the login page, a hashed static
# file, API calls and the anonymous rate counted in Redis across the two workers, and the
# server is stopped again.
#
# The script plays the TLS-terminating load balancer: it sends `X-Forwarded-Proto: https`
# (LOSSDESK_TRUST_X_FORWARDED_PROTO=1), so SSL redirect, HSTS and secure cookies stay on as
# in production; one plain request without the header checks the redirect to https.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.local/bin:$PATH"

PG="postgres://postgres@127.0.0.1:5432"
DB=lossdesk_smoke
work=$(mktemp -d)
server_pid=""

stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ -n "${LOSSDESK_CACHE_KEY_PREFIX:-}" ]; then
    redis-cli -u "$LOSSDESK_CACHE_URL" --scan --pattern "$LOSSDESK_CACHE_KEY_PREFIX:*" |
      xargs -r redis-cli -u "$LOSSDESK_CACHE_URL" del >/dev/null || true
  fi
  rm -rf "$work"
}
trap stop_server EXIT

fail() {
  echo "smoke: FAIL: $*" >&2
  echo "--- server log" >&2
  tail -n 40 "$work/server.log" >&2 || true
  exit 1
}

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export LOSSDESK_PRODUCTION=1
LOSSDESK_SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')"
export LOSSDESK_SECRET_KEY
export LOSSDESK_ALLOWED_HOSTS=127.0.0.1
export LOSSDESK_TRUST_X_FORWARDED_PROTO=1
export LOSSDESK_VAR_DIR="$work/var"
export LOSSDESK_STATIC_ROOT="$work/static"
export DATABASE_URL="$PG/$DB"
export LOSSDESK_CACHE_URL=redis://127.0.0.1:6379/1
export LOSSDESK_CACHE_KEY_PREFIX="lossdesk-smoke-$$"
export LOSSDESK_THROTTLE_ANON=5/minute
mkdir -p "$LOSSDESK_VAR_DIR"

redis-cli -u "$LOSSDESK_CACHE_URL" ping >/dev/null 2>&1 || fail "no Redis at $LOSSDESK_CACHE_URL"

echo "smoke: database $DB"
psql -q "$PG/postgres" -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB"
createdb -h 127.0.0.1 -U postgres -E UTF8 -l C.UTF-8 -T template0 "$DB"
uv run --locked manage.py migrate --noinput -v0
uv run --locked manage.py collectstatic --noinput -v0

echo "smoke: gunicorn on 127.0.0.1:$port"
uv run --locked gunicorn lossdesk.wsgi --bind "127.0.0.1:$port" --workers 2 \
  --access-logfile - >"$work/server.log" 2>&1 &
server_pid=$!

base="http://127.0.0.1:$port"
https=(-H "X-Forwarded-Proto: https")
for _ in $(seq 60); do
  curl -s -o /dev/null "${https[@]}" "$base/login/" && break
  kill -0 "$server_pid" 2>/dev/null || fail "gunicorn exited"
  sleep 0.5
done

# fetch URL [curl args…]: body to $work/body, headers to $work/headers, prints the status.
fetch() {
  local url=$1
  shift
  curl -s -o "$work/body" -D "$work/headers" -w '%{http_code}' "$@" "$base$url"
}
expect_status() {
  [ "$1" = "$2" ] || fail "$3: status $1, expected $2"
}
has_header() {
  grep -qi "^$1" "$work/headers" || fail "missing header '$1' on $2"
}

status=$(fetch /login/)
expect_status "$status" 301 "plain http /login/"
has_header "location: https://127.0.0.1:$port/login/" "plain http /login/"

status=$(fetch /login/ "${https[@]}")
expect_status "$status" 200 "/login/"
grep -q "登录 LossDesk 公估作业系统" "$work/body" || fail "/login/ has no Chinese login heading"
grep -q 'name="username"' "$work/body" || fail "/login/ has no username field"
grep -q 'name="csrfmiddlewaretoken"' "$work/body" || fail "/login/ has no CSRF token"
has_header "strict-transport-security: max-age=" "/login/"
has_header "set-cookie: csrftoken=.*; secure" "/login/"
css=$(grep -o '/static/css/lossdesk\.[0-9a-f]\{12\}\.css' "$work/body" | head -1)
[ -n "$css" ] || fail "/login/ links no hashed lossdesk.css"
js=$(grep -o '/static/vendor/htmx-2\.0\.11\.min\.[0-9a-f]\{12\}\.js' "$work/body" | head -1)
[ -n "$js" ] || fail "/login/ links no hashed htmx"

status=$(fetch "$css" "${https[@]}")
expect_status "$status" 200 "$css"
has_header "content-type: text/css" "$css"

status=$(fetch "$js" "${https[@]}" -H "Accept-Encoding: gzip")
expect_status "$status" 200 "$js"
has_header "cache-control: max-age=315360000, public, immutable" "$js"
has_header "content-encoding: gzip" "$js"

status=$(fetch /api/v1/auth/token "${https[@]}" -H "Content-Type: application/json" \
  --data '{"username": "nobody", "password": "wrong-password"}')
expect_status "$status" 400 "POST /api/v1/auth/token with a bad password"
python3 - "$work/body" <<'EOF' || fail "auth/token error body is not the JSON error shape"
import json, sys
error = json.load(open(sys.argv[1]))["error"]
assert error["code"] == "invalid_credentials" and error["message"] and "fields" in error, error
EOF

status=$(fetch /api/v1/openapi.json "${https[@]}")
expect_status "$status" 200 "/api/v1/openapi.json"
python3 -c 'import json, sys; assert json.load(open(sys.argv[1]))["openapi"].startswith("3.")' \
  "$work/body" || fail "openapi.json is not an OpenAPI 3 document"

# The two anonymous API calls above are counted in Redis, for both workers at once: three
# more reach LOSSDESK_THROTTLE_ANON (5/minute), and the next is refused whichever answers.
redis-cli -u "$LOSSDESK_CACHE_URL" --scan --pattern "$LOSSDESK_CACHE_KEY_PREFIX:*throttle_anon_*" |
  grep . >/dev/null || fail "no anonymous throttle count in Redis"
for _ in 1 2 3; do
  expect_status "$(fetch /api/v1/openapi.json "${https[@]}")" 200 "an anonymous call within the rate"
done
status=$(fetch /api/v1/openapi.json "${https[@]}")
expect_status "$status" 429 "the 6th anonymous call within a minute"

echo "smoke: OK"
