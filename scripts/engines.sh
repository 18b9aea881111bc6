#!/usr/bin/env bash
# scripts/engines.sh start|stop — the pair of real engines the multi-replica
# setup uses, for a developer: a throwaway Weaviate (scripts/weaviate.sh)
# and a throwaway PostgreSQL (scripts/postgres.sh), both on 127.0.0.1,
# stopped by their PIDs. The same pair .ci/run starts.
#
#   eval "$(scripts/engines.sh start)"   # exports WEAVIATE_URL, DATABASE_URL, KHABAR_PG_DIR
#   INDEX_BACKEND=weaviate STATE_BACKEND=postgres go run . ask "…"
#   go test ./pgstate/ ./retrieval/weaviate/ .   # the integration tests run instead of skipping
#   scripts/engines.sh stop
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
case "${1:-}" in
start)
	"$here/weaviate.sh" start
	"$here/postgres.sh" start
	;;
stop)
	"$here/postgres.sh" stop "${2:-${KHABAR_PG_DIR:-}}" || true
	"$here/weaviate.sh" stop
	;;
*) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
