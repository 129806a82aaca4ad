#!/usr/bin/env bash
# Install what LossDesk needs on a new Debian machine: uv, Python 3.12, the system
# libraries for PDFs (Pango, CJK fonts) and browser tests (Chromium), and the locked
# Python dependencies. Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
fc-list 2>/dev/null | grep -q "Noto Sans CJK" || need_apt+=(fonts-noto-cjk)
ldconfig -p 2>/dev/null | grep -q libpango-1.0 || need_apt+=(libpango-1.0-0 libpangoft2-1.0-0)
command -v chromium >/dev/null || need_apt+=(chromium)
command -v pdftoppm >/dev/null || need_apt+=(poppler-utils)
command -v msgfmt >/dev/null || need_apt+=(gettext)
if ((${#need_apt[@]})); then
  echo "Installing system packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

command -v uv >/dev/null || python3 -m pip install -q --user uv || python3 -m pip install -q uv
export PATH="$HOME/.local/bin:$PATH"

# uv cannot download interpreters here: use Python 3.12 from PATH or pyenv.
if [ -z "${UV_PYTHON:-}" ]; then
  if command -v python3.12 >/dev/null; then
    UV_PYTHON=$(command -v python3.12)
  elif command -v pyenv >/dev/null && pyenv prefix 3.12.1 >/dev/null 2>&1; then
    UV_PYTHON="$(pyenv prefix 3.12.1)/bin/python3.12"
  elif [ -x "$HOME/.pyenv/versions/3.12.1/bin/python3.12" ]; then
    UV_PYTHON="$HOME/.pyenv/versions/3.12.1/bin/python3.12"
  fi
fi
export UV_PYTHON UV_PYTHON_DOWNLOADS=never
uv sync --locked --quiet
# Translations are compiled from the .po files on every machine, never committed as .mo.
if [ -d lossdesk/locale ]; then uv run --locked manage.py compilemessages --ignore=.venv -v0; fi
