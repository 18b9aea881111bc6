#!/bin/bash
# A throwaway PostgreSQL cluster for the pgstate integration tests (and for
# trying STATE_BACKEND=postgres by hand): initdb into a temporary folder,
# listening on 127.0.0.1 at a free port, trust auth, stopped by its PID.
#
#   eval "$(scripts/postgres.sh start)"   # prints export DATABASE_URL=... KHABAR_PG_DIR=...
#   go test ./pgstate/
#   scripts/postgres.sh stop              # the cluster of $KHABAR_PG_DIR (or: stop DIR)
#
# Only the export lines go to stdout; progress goes to stderr. When initdb
# is missing, PostgreSQL is installed with apt-get (after apt-get update).
# PostgreSQL refuses to run as root: as root the cluster belongs to the
# "postgres" OS user (created when missing), which the folder is given to.
set -euo pipefail

say() { echo "postgres.sh: $*" >&2; }

find_bin() {
	local d
	if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
		dirname "$(readlink -f "$(command -v initdb)")"
		return 0
	fi
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
			echo "$d"
			return 0
		fi
	done
	return 1
}

install_postgres() {
	if [ "$(id -u)" -ne 0 ]; then
		say "initdb not found and not root: install PostgreSQL (apt-get install postgresql)"
		exit 1
	fi
	say "initdb not found: installing postgresql with apt-get"
	apt-get update >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2
}

# free_port prints a TCP port on 127.0.0.1 that nothing listens on, below
# Linux's ephemeral range (32768–60999), where an outgoing connection of
# another process (Weaviate's, say) could take it between the check and
# the bind.
free_port() {
	local p i
	for i in $(seq 1 200); do
		p=$((20000 + RANDOM % 12000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	say "no free port found"
	exit 1
}

# as_owner runs a command as the cluster's OS user.
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$owner" -- "$@"
	else
		"$@"
	fi
}

start() {
	local bin dir port pid
	bin=$(find_bin) || { install_postgres; bin=$(find_bin) || { say "initdb still missing after install"; exit 1; }; }
	owner=$(id -un)
	dir=$(mktemp -d "${TMPDIR:-/tmp}/khabar-pg.XXXXXX")
	if [ "$(id -u)" -eq 0 ]; then
		owner=postgres
		if ! id "$owner" >/dev/null 2>&1; then
			say "creating the OS user $owner for the cluster"
			useradd --system --no-create-home --shell /usr/sbin/nologin "$owner"
		fi
		chown "$owner" "$dir"
	fi
	chmod 700 "$dir"
	as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
		as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 || {
		say "initdb failed:"
		cat "$dir/initdb.log" >&2
		exit 1
	}
	# Sockets in the data folder: /var/run/postgresql may not exist or not
	# be writable by the owner. max_connections leaves room for parallel
	# test pools. A port taken between the check and the bind is retried
	# on another one.
	local try
	for try in 1 2 3 4 5; do
		port=$(free_port)
		if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
			-o "-c listen_addresses=127.0.0.1 -p $port -k $dir/data -c max_connections=200 -c fsync=off" start >&2; then
			break
		fi
		if [ "$try" -eq 5 ] || ! grep -q "Address already in use" "$dir/server.log"; then
			say "pg_ctl start failed:"
			cat "$dir/server.log" >&2
			exit 1
		fi
		say "port $port was taken meanwhile: trying another"
		: >"$dir/server.log"
	done
	pid=$(head -n1 "$dir/data/postmaster.pid")
	echo "$port" >"$dir/port"
	say "PostgreSQL running: pid $pid, port $port, folder $dir (stop: scripts/postgres.sh stop $dir)"
	echo "export DATABASE_URL='postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable'"
	echo "export KHABAR_PG_DIR='$dir'"
}

stop() {
	local dir=${1:-${KHABAR_PG_DIR:-}} pid i
	if [ -z "$dir" ]; then
		say "stop: which cluster? give its folder or set KHABAR_PG_DIR"
		exit 1
	fi
	if [ ! -f "$dir/data/postmaster.pid" ]; then
		say "no cluster running in $dir"
	else
		pid=$(head -n1 "$dir/data/postmaster.pid")
		# SIGINT is PostgreSQL's fast shutdown: sessions are ended, the
		# cluster stops cleanly.
		kill -INT "$pid" 2>/dev/null || true
		for i in $(seq 1 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			say "pid $pid still running after 10s: sending SIGQUIT"
			kill -QUIT "$pid" 2>/dev/null || true
			sleep 1
		fi
		say "stopped pid $pid"
	fi
	case "$dir" in
	"${TMPDIR:-/tmp}"/khabar-pg.*) rm -rf "$dir" ;;
	*) say "left $dir in place (not a folder this script made)" ;;
	esac
}

case "${1:-}" in
start) start ;;
stop) stop "${2:-}" ;;
*)
	echo "usage: $0 start | stop [DIR]" >&2
	exit 2
	;;
esac
