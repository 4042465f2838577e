#!/usr/bin/env bash
# Side-by-side scrape benchmark: our exporter against Debian's node_exporter.
#
# Usage: bench/exporter.sh OURS_BINARY [OUT_MD]
#
# Starts both exporters on free 127.0.0.1 ports, runs bench/cmd/scrapebench
# against them (ours first, so ratios read ours/anchor), appends the
# `promtool check metrics` finding counts, and always stops both exporters.
# OUT_MD defaults to bench/results/exporter.md.
#
# Environment: WAIT_SECONDS (default 30) bounds the wait for each exporter to
# answer /metrics; SCRAPEBENCH_FLAGS is appended to the scrapebench command
# (e.g. "--scrapes 200").
set -euo pipefail

prog=bench/exporter.sh
die() { echo "$prog: $*" >&2; exit 1; }

[[ $# -ge 1 && $# -le 2 ]] || die "usage: $prog OURS_BINARY [OUT_MD]"

# Resolve paths against the caller's directory before moving to the repo root.
abs_path() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/$1" ;; esac; }
ours_bin=$1
if [[ $ours_bin != */* ]]; then
	ours_bin=$(command -v "$ours_bin") || die "$1: not found in PATH"
fi
ours_bin=$(abs_path "$ours_bin")
[[ -x $ours_bin && -f $ours_bin ]] || die "$1: not an executable file (build it first, e.g. make build)"

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out_md=$(abs_path "${2:-$repo/bench/results/exporter.md}")
cd "$repo"

command -v go >/dev/null || die "go not found in PATH"
if ! command -v prometheus-node-exporter >/dev/null; then
	sudo=()
	[[ $EUID -eq 0 ]] || sudo=(sudo)
	"${sudo[@]}" apt-get install -y prometheus-node-exporter ||
		die "cannot install prometheus-node-exporter (the anchor)"
fi
anchor_bin=$(command -v prometheus-node-exporter)

# Name the anchor after its version, e.g. node_exporter-1.5.
anchor_version=$("$anchor_bin" --version 2>&1 | head -n1)
if [[ $anchor_version =~ version\ ([0-9]+\.[0-9]+) ]]; then
	anchor_name=node_exporter-${BASH_REMATCH[1]}
else
	anchor_name=node_exporter
fi
ours_name=nexclipper

# An exporter/TSDB closing its head may take a while, but not forever.
stop_seconds=5
# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"

# start_exporter NAME BINARY: starts BINARY on a free port, waits until it
# answers /metrics and sets STARTED_PID and STARTED_URL.
start_exporter() {
	local name=$1 bin=$2 log=$tmp/$1.log attempt port pid url deadline rc
	for attempt in 1 2 3; do
		port=$(free_port)
		url=http://127.0.0.1:$port/metrics
		"$bin" --web.listen-address="127.0.0.1:$port" >"$log" 2>&1 &
		pid=$!
		pids+=("$pid")
		deadline=$((SECONDS + ${WAIT_SECONDS:-30}))
		while ((SECONDS < deadline)); do
			if ! kill -0 "$pid" 2>/dev/null; then
				break
			fi
			if curl -fsS -o /dev/null --max-time 2 -H 'Accept: text/plain;version=0.0.4' "$url" 2>/dev/null; then
				STARTED_PID=$pid
				STARTED_URL=$url
				echo "$prog: $name (pid $pid) answers $url" >&2
				return 0
			fi
			sleep 0.2
		done
		if kill -0 "$pid" 2>/dev/null; then
			stop_pid "$pid"
			echo "$prog: $name did not answer $url within ${WAIT_SECONDS:-30}s; its log:" >&2
			tail -n 20 "$log" >&2
			exit 1
		fi
		rc=0
		wait "$pid" 2>/dev/null || rc=$?
		if grep -qi 'address already in use' "$log"; then
			echo "$prog: $name: port $port was taken, retrying ($attempt/3)" >&2
			continue
		fi
		echo "$prog: $name exited (status $rc) before answering $url; its log:" >&2
		tail -n 20 "$log" >&2
		exit 1
	done
	die "$name: no free port after 3 attempts"
}

start_exporter "$anchor_name" "$anchor_bin"
anchor_pid=$STARTED_PID anchor_url=$STARTED_URL
start_exporter "$ours_name" "$ours_bin"
ours_pid=$STARTED_PID ours_url=$STARTED_URL

# shellcheck disable=SC2086 # SCRAPEBENCH_FLAGS is a list of flags on purpose.
go run ./bench/cmd/scrapebench \
	--target "$ours_name=$ours_url=$ours_pid" \
	--target "$anchor_name=$anchor_url=$anchor_pid" \
	--binary "$ours_name=$ours_bin" \
	--binary "$anchor_name=$anchor_bin" \
	--out "$out_md" ${SCRAPEBENCH_FLAGS:-}

# Lines added below the table, both to OUT_MD and to stdout.
notes=("" "- Harness: \`$prog $*\`; anchor: $anchor_version.")

# promtool exits 3 when it finds lint problems (one per line, on stderr) and 1
# when it cannot check at all; only the latter is reported as a failure.
if command -v promtool >/dev/null; then
	summary=""
	for pair in "$ours_name=$ours_url" "$anchor_name=$anchor_url"; do
		name=${pair%%=*} url=${pair#*=}
		curl -fsS --max-time 30 -H 'Accept: text/plain;version=0.0.4' -o "$tmp/$name.prom" "$url" ||
			die "$name: cannot fetch $url for promtool"
		rc=0
		promtool check metrics <"$tmp/$name.prom" >"$tmp/$name.lint" 2>&1 || rc=$?
		if [[ $rc -eq 0 || $rc -eq 3 ]]; then
			summary+="${summary:+; }$name $(grep -c . "$tmp/$name.lint" || true)"
		else
			summary+="${summary:+; }$name: promtool failed (exit $rc): $(head -n1 "$tmp/$name.lint")"
		fi
		if [[ -s $tmp/$name.lint ]]; then
			echo "$prog: promtool check metrics findings for $name:" >&2
			sed 's/^/  /' "$tmp/$name.lint" >&2
		fi
	done
	promtool_version=$(promtool --version 2>&1 | head -n1 | sed 's/ (.*//')
	notes+=("- \`promtool check metrics\` findings ($promtool_version): $summary.")
else
	notes+=("- promtool not found: no lint counts.")
fi
printf '%s\n' "${notes[@]}" | tee -a "$out_md"
echo "$prog: wrote $out_md" >&2
