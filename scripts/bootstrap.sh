#!/usr/bin/env bash
# Install what LossDesk needs on a new Debian machine: uv, Python 3.12, the system
# libraries for PDFs (Pango, CJK fonts) and browser tests (Chromium), and the locked
# Python dependencies. Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
# (grep without -q: an early exit would fail the pipe under pipefail)
fc-list 2>/dev/null | grep "Noto Sans CJK" >/dev/null || need_apt+=(fonts-noto-cjk)
ldconfig -p 2>/dev/null | grep libpango-1.0 >/dev/null || need_apt+=(libpango-1.0-0 libpangoft2-1.0-0)
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
  for candidate in \
    "$(command -v python3.12 || true)" \
    "$(pyenv prefix 3.12.1 2>/dev/null || true)/bin/python3.12" \
    "$(ls -d "$HOME"/.pyenv/versions/3.12*/bin/python3.12 2>/dev/null | tail -1)"; do
    # pyenv's shims exist even when they cannot run: try each one.
    if [ -x "$candidate" ] && "$candidate" -c "import sys" 2>/dev/null; then
      UV_PYTHON="$candidate"
      break
    fi
  done
fi
export UV_PYTHON UV_PYTHON_DOWNLOADS=never
uv sync --locked --quiet
# Translations are compiled from the .po files on every machine, never committed as .mo.
if [ -d lossdesk/locale ]; then uv run --locked manage.py compilemessages --ignore=.venv -v0; fi
