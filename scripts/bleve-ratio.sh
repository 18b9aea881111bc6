#!/usr/bin/env bash
# scripts/bleve-ratio.sh [rounds] — issue 14's index speed against bleve,
# measured back to back on this machine: hamshahri-ir (5,375 articles)
# indexed by khabar and by the bleve v2.6.3 peer (tools/bleve, a separate
# module) in alternating runs, rounds times (default 3). Prints every run,
# the medians, the ratio bleve/khabar of the medians, and the load average
# at start and end. A measurement, not a guard: it is not in .ci/run.
#
# Both sides time index building alone, the corpus already read and parsed:
#   khabar: `khabar eval --json` reports index_seconds, the SyncArticles of
#           every article into a fresh in-process index (chunking, the local
#           embedder, BM25); the questions asked after it are not counted.
#           (`khabar index` timed from outside would add the process start,
#           reading the corpus and saving the snapshot.)
#   bleve:  tools/bleve's index_seconds, from creating the index in a temp
#           dir to the last batch returned (persisted); its close_seconds
#           (waiting for merges) is printed apart and counted in neither.
# khabar runs in an empty environment (env -i, ENV_FILE=/dev/null: the
# defaults, offline), as .ci/eval-guard runs the reader set.
#
# EVAL_DIR overrides ../shared/eval; BLEVE_BATCH the peer's batch size (100).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-3}
if ! [[ $rounds =~ ^[1-9][0-9]*$ ]]; then
	echo "usage: scripts/bleve-ratio.sh [rounds]   (rounds: a positive integer, default 3)" >&2
	exit 2
fi
eval_dir=${EVAL_DIR:-$root/../shared/eval}
corpus=$eval_dir/hamshahri-ir/corpus.jsonl
questions=$eval_dir/hamshahri-ir/questions.jsonl
if [[ ! -r $corpus || ! -r $questions ]]; then
	echo "bleve-ratio: $eval_dir/hamshahri-ir (corpus.jsonl, questions.jsonl) is not here:" >&2
	echo "  the evaluation data is not part of the repository; set EVAL_DIR to the folder holding hamshahri-ir/" >&2
	exit 1
fi
corpus=$(cd "$(dirname "$corpus")" && pwd)/corpus.jsonl
questions=$(dirname "$corpus")/questions.jsonl

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "building khabar and tools/bleve…" >&2
(cd "$root" && scripts/build.sh "$tmp/khabar")
go -C "$root/tools/bleve" build -trimpath -o "$tmp/bleve" .

# field NAME FILE prints the number of a JSON report's "NAME" key.
field() {
	sed -n "s/.*\"$1\": *\([0-9.eE+-]*\).*/\1/p" "$2" | head -n 1
}

# timed CMD… runs CMD with its output in $tmp/out, its stderr in $tmp/err and
# its whole-process CPU time (user + system, seconds) in $tmp/cpu where
# /usr/bin/time is installed ("-" where not).
timed() {
	if [[ -x /usr/bin/time ]]; then
		/usr/bin/time -f '%U %S' -o "$tmp/time" "$@" >"$tmp/out" 2>"$tmp/err" || return
		awk '{print $1 + $2}' "$tmp/time" >"$tmp/cpu"
	else
		"$@" >"$tmp/out" 2>"$tmp/err" || return
		echo - >"$tmp/cpu"
	fi
}

# run_khabar and run_bleve print "index_seconds cpu_seconds [close_seconds]".
run_khabar() {
	if ! timed env -i ENV_FILE=/dev/null LOG_LEVEL=warn TMPDIR="${TMPDIR:-/tmp}" \
		"$tmp/khabar" eval --json --corpus "$corpus" --questions "$questions"; then
		echo "bleve-ratio: khabar eval failed:" >&2
		cat "$tmp/err" >&2
		exit 1
	fi
	echo "$(field index_seconds "$tmp/out") $(cat "$tmp/cpu")"
}

run_bleve() {
	if ! timed "$tmp/bleve" -corpus "$corpus" -batch "${BLEVE_BATCH:-100}"; then
		echo "bleve-ratio: tools/bleve failed:" >&2
		cat "$tmp/err" >&2
		exit 1
	fi
	echo "$(field index_seconds "$tmp/out") $(cat "$tmp/cpu") $(field close_seconds "$tmp/out")"
}

ratio() { awk -v b="$1" -v k="$2" 'BEGIN{if (b == "-" || k == "-") print "-"; else printf "%.2f", b / k}'; }

load_start=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)
echo "load average at start: $load_start ($(nproc) cores); $rounds rounds on $corpus"
echo "(index s: index building alone, wall; cpu s: the whole process, user + system, reading the corpus and for khabar the 50 questions too)"
k_all=() b_all=() kc_all=() bc_all=()
for ((i = 1; i <= rounds; i++)); do
	# The side that goes first alternates, so neither always runs on the
	# page cache or the CPU the other warmed.
	if ((i % 2)); then
		read -r k kc <<<"$(run_khabar)"
		read -r b bc bclose <<<"$(run_bleve)"
	else
		read -r b bc bclose <<<"$(run_bleve)"
		read -r k kc <<<"$(run_khabar)"
	fi
	[[ -n $k && -n $b ]] || { echo "bleve-ratio: no index_seconds in a report" >&2; exit 1; }
	k_all+=("$k") b_all+=("$b") kc_all+=("$kc") bc_all+=("$bc")
	printf 'round %d: khabar %6.2f s index, %6s s cpu | bleve %6.2f s index (+%.2f s close), %6s s cpu | ratio %s index, %s cpu\n' \
		"$i" "$k" "$kc" "$b" "${bclose:-0}" "$bc" "$(ratio "$b" "$k")" "$(ratio "$bc" "$kc")"
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)

median() {
	if [[ $1 == - ]]; then
		echo -
		return
	fi
	printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
km=$(median "${k_all[@]}") bm=$(median "${b_all[@]}")
kcm=$(median "${kc_all[@]}") bcm=$(median "${bc_all[@]}")
printf 'median: khabar %.2f s index, %s s cpu | bleve %.2f s index, %s s cpu\n' "$km" "$kcm" "$bm" "$bcm"
echo "ratio bleve/khabar of the medians: $(ratio "$bm" "$km") (index wall), $(ratio "$bcm" "$kcm") (cpu)"
echo "load average at end: $load_end"
