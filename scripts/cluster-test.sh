#!/usr/bin/env bash
# scripts/cluster-test.sh — a two-node Weaviate on 127.0.0.1, collections
# with replication factor 2 (and two shards); node 2 is killed and the
# questions must still be answered (TestClusterSurvivesANode). Not in CI:
# it takes a few minutes. WEAVIATE_BIN names a built weaviate-server
# (default: scripts/weaviate.sh's build).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
state=$(mktemp -d)
bin=${WEAVIATE_BIN:-${TMPDIR:-/tmp}/khabar-weaviate-$(id -u)/bin/weaviate-server}
if [[ ! -x $bin ]]; then
	mkdir -p "$(dirname "$bin")"
	(cd "$root/tools/weaviate" && go build -o "$bin" github.com/weaviate/weaviate/cmd/weaviate-server)
fi
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	sleep 1
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	[[ -n ${KEEP_STATE:-} ]] || rm -rf "$state"
}
trap cleanup EXIT

# Two consecutive free ports (Weaviate's localhost mode takes the Raft RPC
# port as the Raft port + 1, and the data port as the gossip port + 1).
pair() {
	python3 -c '
import socket
while True:
    a = socket.socket(); a.bind(("127.0.0.1", 0)); p = a.getsockname()[1]
    b = socket.socket()
    try:
        b.bind(("127.0.0.1", p + 1)); print(p); break
    except OSError: pass
    finally: a.close(); b.close()'
}
free() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
g1=$(pair) g2=$(pair) r1=$(pair) r2=$(pair)
h1=$(free) h2=$(free) p1=$(free) p2=$(free)
join="node1:$r1,node2:$r2"

node() { # name http grpc gossip raft [cluster-join]
	mkdir -p "$state/$1"
	env -i PATH="$PATH" HOME="${HOME:-/tmp}" \
		DISABLE_TELEMETRY=true GO_PROFILING_DISABLE=true PROMETHEUS_MONITORING_ENABLED=false \
		AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED=true DEFAULT_VECTORIZER_MODULE=none USE_INVERTED_SEARCHABLE=false \
		PERSISTENCE_DATA_PATH="$state/$1" CLUSTER_HOSTNAME="$1" CLUSTER_IN_LOCALHOST=true CLUSTER_ADVERTISE_ADDR=127.0.0.1 \
		CLUSTER_GOSSIP_BIND_PORT="$4" CLUSTER_DATA_BIND_PORT="$(($4 + 1))" ${6:+CLUSTER_JOIN="127.0.0.1:$6"} \
		GRPC_PORT="$3" RAFT_PORT="$5" RAFT_INTERNAL_RPC_PORT="$(($5 + 1))" RAFT_JOIN="$join" RAFT_BOOTSTRAP_EXPECT=2 \
		LOG_LEVEL=warning "$bin" --host 127.0.0.1 --port "$2" --scheme http >"$state/$1.log" 2>&1 &
	pids+=($!)
}
node node1 "$h1" "$p1" "$g1" "$r1"
# Node 2 joins node 1's gossip: wait for it to listen.
for i in $(seq 1 120); do
	(exec 3<>"/dev/tcp/127.0.0.1/$g1") 2>/dev/null && break
	sleep 0.5
done
node node2 "$h2" "$p2" "$g2" "$r2" "$g1"
for url in "http://127.0.0.1:$h1" "http://127.0.0.1:$h2"; do
	for i in $(seq 1 240); do
		curl -fs -o /dev/null "$url/v1/.well-known/ready" && break
		[[ $i == 240 ]] && { echo "$url not ready; logs in $state" >&2; for f in "$state"/*.log; do echo "== $f" >&2; tail -n 5 "$f" >&2; done; exit 1; }
		sleep 0.5
	done
done
echo "two nodes ready: http://127.0.0.1:$h1 http://127.0.0.1:$h2"
cd "$root"
WEAVIATE_URL="http://127.0.0.1:$h1" WEAVIATE_KILL_PID="${pids[1]}" \
	go test -count=1 -v -run TestClusterSurvivesANode ./retrieval/weaviate/
