#!/usr/bin/env bash
# Search by meaning at catalog scale: embedding at publish, index load and RSS, and
# ranked searches over CHIPS published chips (default 100000) with new queries.
# Needs the sentence-embedding model (scripts/models/fetch_minilm.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/models/fetch_minilm.sh >/dev/null
cargo run --release --quiet --example search_bench -- "${1:-100000}"
