#!/usr/bin/env bash
# Browser tests of the web app. Builds holomesh, starts `holomesh serve` on a free
# port with a temporary SQLite database and the in-memory cache (deposits are play money),
# makes an administrator with `holomesh admin create`, seeds users, designers and
# chips through the API, runs web-tests/ (playwright-core on the system Chromium,
# headless; axe-core), stops the server and checks the offline page.
# Screenshots land in <cargo target dir>/web-screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
TARGET="${CARGO_TARGET_DIR:-$REPO/target}"

command -v chromium >/dev/null || bash scripts/setup.sh
cargo build --locked --bin holomesh
BIN="$TARGET/debug/holomesh"
(cd web-tests && npm ci --no-audit --no-fund --loglevel=error)

WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export HOLOMESH_DATA_DIR="$WORK/data"
export HOLOMESH_SERVER__BIND="127.0.0.1:$PORT"
export HOLOMESH_ASR__MODELS_DIR="${HOLOMESH_ASR__MODELS_DIR:-$HOME/.local/share/holomesh/models}"
export HOLOMESH_AUTH__LOGIN_ATTEMPTS_PER_ADDRESS=1000
export HOLOMESH_AUTH__REGISTRATIONS_PER_ADDRESS_PER_HOUR=1000
export HOLOMESH_PAYMENTS__PROVIDER=development
unset HOLOMESH_DATABASE__URL HOLOMESH_CACHE__URL HOLOMESH_CONFIG
export HOLOMESH_WEB_URL="http://127.0.0.1:$PORT"
export HOLOMESH_SEED="$WORK/seed.json"
export HOLOMESH_PWA_PROFILE="$WORK/chromium-profile"
export HOLOMESH_SCREENSHOTS="$TARGET/web-screenshots"
export HOLOMESH_REPO="$REPO"

printf 'correct horse battery staple\n' | "$BIN" admin create --email admin@example.org --name "Ada Admin" >/dev/null
"$BIN" serve >"$WORK/serve.log" 2>&1 &
SERVER=$!
cleanup() {
  kill "$SERVER" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
for _ in $(seq 1 120); do
  curl -fsS "$HOLOMESH_WEB_URL/healthz" >/dev/null 2>&1 && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/serve.log"; exit 1; }
  sleep 0.5
done
node web-tests/lib/seed.mjs

status=0
# WEB_TESTS=web-tests/tests/voice.test.mjs runs one file.
node --test --test-concurrency=1 ${WEB_TESTS:-web-tests/tests/*.test.mjs} || status=$?
# Stop the server (graceful first), then open the installed app with it down.
kill "$SERVER"
for _ in $(seq 1 20); do kill -0 "$SERVER" 2>/dev/null || break; sleep 0.5; done
kill -9 "$SERVER" 2>/dev/null || true
if [ -d "$HOLOMESH_PWA_PROFILE" ]; then
  node --test web-tests/after-stop/*.test.mjs || status=$?
fi
if [ "$status" -ne 0 ]; then
  echo "--- server log (last 40 lines) ---"
  tail -n 40 "$WORK/serve.log"
fi
echo "screenshots: $HOLOMESH_SCREENSHOTS"
exit "$status"
