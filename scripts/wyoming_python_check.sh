#!/usr/bin/env bash
# Builds the fake Wyoming server example, starts it on a free 127.0.0.1 port and runs the
# real Python `wyoming` client check against it. Creates .venv (crate dir) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${WYOMING_PYTHON:-.venv/bin/python}"
if ! "$PYTHON" -c 'import wyoming.client' 2>/dev/null; then
  python3 -m venv .venv
  PYTHON=.venv/bin/python
  "$PYTHON" -m pip install --quiet --disable-pip-version-check -r scripts/requirements-wyoming.txt
fi

nice -n 10 cargo build --quiet --example wyoming_fake_server
log="$(mktemp)"
"${CARGO_TARGET_DIR:-target}"/debug/examples/wyoming_fake_server --host 127.0.0.1 --port 0 >"$log" &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; rm -f "$log"' EXIT

port=""
for _ in $(seq 1 50); do
  port="$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$log")"
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "fake server did not start" >&2; exit 1; }

"$PYTHON" scripts/wyoming_client_check.py --host 127.0.0.1 --port "$port"
