#!/usr/bin/env bash
# scripts/weaviate.sh start|stop|status — a throwaway single-node Weaviate
# on 127.0.0.1 for khabar's integration tests, the Weaviate evaluation and
# development (INDEX_BACKEND=weaviate).
#
#   eval "$(scripts/weaviate.sh start)"   # prints: export WEAVIATE_URL=http://127.0.0.1:PORT
#   go test ./retrieval/weaviate/
#   scripts/weaviate.sh stop              # stops it by PID and removes its data
#
# The server is the pinned weaviate-server of tools/weaviate/go.mod (a
# separate module, so Weaviate's dependency graph never touches khabar's
# go.mod). WEAVIATE_BIN names a built binary; without it the script builds
# one into $WEAVIATE_STATE/bin with the Go build cache (~6 CPU minutes
# cold, seconds warm).
#
# Every port is picked free at start: HTTP, gRPC, gossip, data and the two
# Raft ports. The HTTP API listens on 127.0.0.1 only; Weaviate binds gRPC,
# gossip, data and Raft on all interfaces whatever is set (an upstream
# limit), which is why they are random free ports and the node advertises
# 127.0.0.1. Telemetry and the Go profiler are off; data goes to a temp
# folder removed at stop.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
state=${WEAVIATE_STATE:-${TMPDIR:-/tmp}/khabar-weaviate-$(id -u)}
pidfile=$state/pid

# freeports N prints N distinct ports nothing is bound to, below Linux's ephemeral range
# (32768–60999): there an outgoing connection of another process could take
# it before Weaviate binds it. Weaviate binds most ports on all interfaces,
# so the check binds 0.0.0.0.
freeports() {
	python3 -c '
import random, socket, sys
want, got = int(sys.argv[1]), []
for _ in range(1000):
    p = random.randint(20000, 32000)
    if p in got:
        continue
    s = socket.socket()
    try:
        s.bind(("0.0.0.0", p))
    except OSError:
        continue
    finally:
        s.close()
    got.append(p)
    if len(got) == want:
        break
else:
    raise SystemExit("no free ports")
print(*got)
' "$1"
}

build() {
	local bin=${WEAVIATE_BIN:-$state/bin/weaviate-server}
	if [[ ! -x $bin ]]; then
		echo "building weaviate-server (tools/weaviate, pinned) into $bin…" >&2
		mkdir -p "$(dirname "$bin")"
		(cd "$root/tools/weaviate" && go build -o "$bin" github.com/weaviate/weaviate/cmd/weaviate-server) >&2
	fi
	echo "$bin"
}

running() { [[ -f $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

start() {
	if running; then
		cat "$state/env"
		return
	fi
	local bin
	bin=$(build)
	mkdir -p "$state"
	rm -rf "$state/data"
	mkdir -p "$state/data"
	local http grpc gossip data raft rpc
	read -r http grpc gossip data raft rpc < <(freeports 6)
	env -i PATH="$PATH" HOME="${HOME:-/tmp}" \
		DISABLE_TELEMETRY=true GO_PROFILING_DISABLE=true PROMETHEUS_MONITORING_ENABLED=false \
		AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED=true DEFAULT_VECTORIZER_MODULE=none \
		USE_INVERTED_SEARCHABLE=false QUERY_DEFAULTS_LIMIT=25 QUERY_MAXIMUM_RESULTS=10000 \
		PERSISTENCE_DATA_PATH="$state/data" \
		CLUSTER_HOSTNAME=node1 CLUSTER_ADVERTISE_ADDR=127.0.0.1 \
		CLUSTER_GOSSIP_BIND_PORT="$gossip" CLUSTER_DATA_BIND_PORT="$data" \
		GRPC_PORT="$grpc" RAFT_PORT="$raft" RAFT_INTERNAL_RPC_PORT="$rpc" \
		LOG_LEVEL=warning \
		"$bin" --host 127.0.0.1 --port "$http" --scheme http >"$state/log" 2>&1 &
	echo $! >"$pidfile"
	local url=http://127.0.0.1:$http
	for _ in $(seq 1 240); do
		if curl -fs -o /dev/null "$url/v1/.well-known/ready" 2>/dev/null; then
			echo "export WEAVIATE_URL=$url" >"$state/env"
			cat "$state/env"
			return
		fi
		if ! running; then
			echo "weaviate exited at start; log: $state/log" >&2
			tail -20 "$state/log" >&2
			exit 1
		fi
		sleep 0.5
	done
	echo "weaviate not ready after 120s; log: $state/log" >&2
	stop
	exit 1
}

stop() {
	if [[ -f $pidfile ]]; then
		local pid
		pid=$(cat "$pidfile")
		if kill -0 "$pid" 2>/dev/null; then
			kill "$pid"
			for _ in $(seq 1 40); do
				kill -0 "$pid" 2>/dev/null || break
				sleep 0.25
			done
			kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
		fi
		rm -f "$pidfile"
	fi
	rm -rf "$state/data" "$state/env"
}

case ${1:-} in
start) start ;;
stop) stop ;;
status) if running; then cat "$state/env"; else echo "not running" >&2; exit 1; fi ;;
*) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
