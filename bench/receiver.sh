#!/usr/bin/env bash
# Side-by-side remote-write ingest benchmark: our receiver against Prometheus
# 3.16 and VictoriaMetrics 1.151.
#
# Usage: bench/receiver.sh RECEIVER_BINARY [OUT_MD]
#
# For each system and protocol in turn (ours 1.0, Prometheus 1.0, VM 1.0,
# ours 2.0, Prometheus 2.0): start it on a free 127.0.0.1 port with an empty
# data directory, send the same requests with bench/cmd/rwload, wait until the
# TSDBs have cut their 2h block, read CPU time and peak RSS from /proc, check
# with a query that the data is there, then stop it (SIGTERM) and measure its
# data directory. Writes a markdown report; OUT_MD defaults to
# bench/results/receiver.md. Every process is stopped by PID, also on failure.
#
# Environment (defaults in brackets):
#   SERIES [100000]  INTERVAL [30s]  SENDERS [4]  SAMPLES_PER_REQUEST [2000]  SEED [1]
#   ROUNDS [3h / INTERVAL + 2: the head then spans more than 3h and the
#           TSDBs compact the first, full 2h block]
#   RUNS   ["nexclipper:1.0 prometheus:1.0 victoriametrics:1.0 nexclipper:2.0 prometheus:2.0"]
#   PROMETHEUS_BIN, VICTORIAMETRICS_BIN  (installed with `go install` if missing)
#   WAIT_SECONDS [60] for a system to answer; COMPACT_SECONDS [300] for the
#   block to appear; RWLOAD_FLAGS appended to every rwload command.
set -euo pipefail

prog=bench/receiver.sh
die() { echo "$prog: $*" >&2; exit 1; }
log() { echo "$prog: $*" >&2; }

[[ $# -ge 1 && $# -le 2 ]] || die "usage: $prog RECEIVER_BINARY [OUT_MD]"

# Resolve paths against the caller's directory before moving to the repo root.
abs_path() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/$1" ;; esac; }
ours_bin=$1
if [[ $ours_bin != */* ]]; then
	ours_bin=$(command -v "$ours_bin") || die "$1: not found in PATH"
fi
ours_bin=$(abs_path "$ours_bin")
[[ -x $ours_bin && -f $ours_bin ]] || die "$1: not an executable file (build it first, e.g. make build)"

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out_md=$(abs_path "${2:-$repo/bench/results/receiver.md}")
cd "$repo"

for tool in go curl awk du; do
	command -v "$tool" >/dev/null || die "$tool not found in PATH"
done

series=${SERIES:-100000}
interval=${INTERVAL:-30s}
senders=${SENDERS:-4}
per_request=${SAMPLES_PER_REQUEST:-2000}
seed=${SEED:-1}
runs=${RUNS:-nexclipper:1.0 prometheus:1.0 victoriametrics:1.0 nexclipper:2.0 prometheus:2.0}

# interval in ms: rwload takes Go durations; the arithmetic here needs ms.
interval_ms=$(awk -v d="$interval" 'BEGIN {
	if (d ~ /^[0-9]+ms$/) { print d + 0; exit }
	if (d ~ /^[0-9]+s$/) { print d * 1000; exit }
	if (d ~ /^[0-9]+m$/) { print d * 60000; exit }
	exit 1 }') || die "INTERVAL=$interval: want e.g. 500ms, 30s or 1m"
block_ms=$((2 * 3600 * 1000))         # the TSDBs' block range
compact_span_ms=$((3 * block_ms / 2)) # the head compacts once it spans more
rounds=${ROUNDS:-$((compact_span_ms / interval_ms + 2))}
total=$((rounds * series))

# One start for every run, so every system gets byte-identical requests:
# rounds × interval before now, rounded down to a block boundary so the first
# block holds a full 2h.
now_ms=$(date +%s%3N)
start_ms=$(((now_ms - rounds * interval_ms) / block_ms * block_ms))
last_ms=$((start_ms + (rounds - 1) * interval_ms))
span_s=$(((last_ms - start_ms) / 1000 + interval_ms / 1000 + 1))

cache=${XDG_CACHE_HOME:-$HOME/.cache}/nexclipper/bin
prom_bin=${PROMETHEUS_BIN:-$cache/prometheus-v0.316.0/prometheus}
vm_bin=${VICTORIAMETRICS_BIN:-$cache/victoria-metrics-v1.151.0/victoria-metrics}
need_prom=false need_vm=false
for run in $runs; do
	case ${run%%:*} in
	nexclipper) ;;
	prometheus) need_prom=true ;;
	victoriametrics) need_vm=true ;;
	*) die "RUNS: unknown system in $run (want nexclipper, prometheus or victoriametrics)" ;;
	esac
	case ${run#*:} in 1.0 | 2.0) ;; *) die "RUNS: unknown protocol in $run (want 1.0 or 2.0)" ;; esac
done
if $need_prom && [[ ! -x $prom_bin ]]; then
	log "installing Prometheus v0.316.0 into $(dirname "$prom_bin") (a few minutes)"
	GOBIN=$(dirname "$prom_bin") go install github.com/prometheus/prometheus/cmd/prometheus@v0.316.0 ||
		die "cannot install Prometheus"
fi
if $need_vm && [[ ! -x $vm_bin ]]; then
	log "installing VictoriaMetrics v1.151.0 into $(dirname "$vm_bin") (about a minute)"
	GOBIN=$(dirname "$vm_bin") go install github.com/VictoriaMetrics/VictoriaMetrics/app/victoria-metrics@v1.151.0 ||
		die "cannot install VictoriaMetrics"
fi

# An exporter/TSDB closing its head may take a while, but not forever.
stop_seconds=${STOP_SECONDS:-60}
# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"

# command_for SYSTEM PORT DIR prints the command line that starts SYSTEM.
command_for() {
	local system=$1 port=$2 dir=$3
	case $system in
	nexclipper) echo "$ours_bin --web.listen-address=127.0.0.1:$port --storage.path=$dir" ;;
	prometheus) echo "$prom_bin --web.enable-remote-write-receiver --storage.tsdb.path=$dir --web.listen-address=127.0.0.1:$port --config.file=$tmp/prometheus.yml" ;;
	victoriametrics) echo "$vm_bin -httpListenAddr=127.0.0.1:$port -storageDataPath=$dir" ;;
	esac
}

ready_path() {
	case $1 in victoriametrics) echo /health ;; *) echo /-/ready ;; esac
}

# start_system SYSTEM DIR: starts SYSTEM on a free port with its data in DIR,
# waits until it is ready and sets STARTED_PID, STARTED_BASE and STARTED_CMD.
start_system() {
	local system=$1 dir=$2 log=$tmp/$1.log attempt port pid base deadline rc cmd
	for attempt in 1 2 3; do
		port=$(free_port)
		base=http://127.0.0.1:$port
		cmd=$(command_for "$system" "$port" "$dir")
		# shellcheck disable=SC2086 # cmd is a list of words on purpose; no path has spaces.
		$cmd >"$log" 2>&1 &
		pid=$!
		pids+=("$pid")
		deadline=$((SECONDS + ${WAIT_SECONDS:-60}))
		while ((SECONDS < deadline)); do
			kill -0 "$pid" 2>/dev/null || break
			if curl -fsS -o /dev/null --max-time 2 "$base$(ready_path "$system")" 2>/dev/null; then
				STARTED_PID=$pid STARTED_BASE=$base STARTED_CMD=$cmd
				log "$system (pid $pid) answers $base"
				return 0
			fi
			sleep 0.2
		done
		if kill -0 "$pid" 2>/dev/null; then
			stop_pid "$pid"
			log "$system did not get ready at $base within ${WAIT_SECONDS:-60}s; its log:"
			tail -n 20 "$log" >&2
			exit 1
		fi
		rc=0
		wait "$pid" 2>/dev/null || rc=$?
		if grep -qi 'address already in use' "$log"; then
			log "$system: port $port was taken, retrying ($attempt/3)"
			continue
		fi
		log "$system exited (status $rc) before it was ready; its log:"
		tail -n 20 "$log" >&2
		exit 1
	done
	die "$system: no free port after 3 attempts"
}

# cpu_ticks PID: utime + stime of PID in clock ticks. The command name in
# field 2 may hold spaces, so fields are counted after its closing ')'.
cpu_ticks() {
	local stat
	stat=$(<"/proc/$1/stat")
	stat=${stat##*) }
	awk '{ print $12 + $13 }' <<<"$stat"
}

# peak_rss_kib PID: VmHWM, the highest resident set size so far, in KiB.
peak_rss_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }

# query BASE PROMQL: the value of a one-element instant-vector result at the
# last sample's time, or a word saying why there is none. POST, as the
# samples query is long.
query() {
	local body
	body=$(curl -sS --max-time 600 "$1/api/v1/query" --data-urlencode "query=$2" \
		--data-urlencode "time=$((last_ms / 1000)).$(printf '%03d' $((last_ms % 1000)))" 2>&1) ||
		{ echo "error"; log "query ${2:0:100}: $body"; return 0; }
	if [[ $body == *'"status":"success"'* ]]; then
		if [[ $body == *'"result":[]'* ]]; then
			echo 0
		else
			sed -n 's/.*"value":\[[^,]*,"\([^"]*\)"\].*/\1/p' <<<"$body" | awk '{ printf "%d\n", $1 }'
		fi
	else
		echo "error"
		log "query ${2:0:100}... failed: ${body:0:300}"
	fi
}

# samples_query BASE: PromQL that counts every stored sample of the run, one
# sum per metric name: count_over_time drops the name, and Prometheus refuses
# a vector whose series then share their labels.
samples_query() {
	local names name q=""
	names=$(curl -fsS --max-time 60 -G "$1/api/v1/label/__name__/values" \
		--data-urlencode "start=$((start_ms / 1000))" --data-urlencode "end=$((last_ms / 1000 + 1))" |
		sed -n 's/.*"data":\[\(.*\)\].*/\1/p' | tr ',' '\n' | tr -d '"') || names=""
	for name in $names; do
		q+="${q:+ + }sum(count_over_time({__name__=\"$name\"}[${span_s}s]))"
	done
	echo "${q:-vector(0)}"
}

# metric BASE NAME: the value of an unlabelled metric on BASE/metrics.
metric() { curl -fsS --max-time 10 "$1/metrics" | awk -v n="$2" '$1 == n { printf "%.0f\n", $2 }'; }

# wait_head_compacted BASE DIR: waits until the head spans at most 3h (what
# it compacts beyond) and no block is being written.
wait_head_compacted() {
	local base=$1 dir=$2 deadline mint maxt
	deadline=$((SECONDS + ${COMPACT_SECONDS:-300}))
	while ((SECONDS < deadline)); do
		mint=$(metric "$base" prometheus_tsdb_head_min_time) || mint=""
		maxt=$(metric "$base" prometheus_tsdb_head_max_time) || maxt=""
		if [[ -n $mint && -n $maxt ]] && ((maxt - mint <= compact_span_ms)) &&
			! compgen -G "$dir/*.tmp*" >/dev/null; then
			return 0
		fi
		sleep 1
	done
	log "the head at $base did not compact within ${COMPACT_SECONDS:-300}s (head $mint..$maxt)"
	return 1
}

# block_stats DIR: "BYTES SAMPLES BLOCKS" of the TSDB blocks in DIR.
block_stats() {
	local bytes=0 samples=0 blocks=0 meta n
	for meta in "$1"/*/meta.json; do
		[[ -f $meta ]] || continue
		n=$(sed -n 's/.*"numSamples": *\([0-9]*\).*/\1/p' "$meta" | head -n1)
		samples=$((samples + ${n:-0}))
		bytes=$((bytes + $(du -sb "$(dirname "$meta")" | cut -f1)))
		blocks=$((blocks + 1))
	done
	echo "$bytes $samples $blocks"
}

# vm_force_merge BASE: flushes, starts a forced merge of every partition and
# waits for it to end.
vm_force_merge() {
	local base=$1 deadline active
	curl -fsS --max-time 60 -o /dev/null "$base/internal/force_flush"
	curl -fsS --max-time 60 -o /dev/null "$base/internal/force_merge?partition_prefix="
	sleep 1
	deadline=$((SECONDS + ${COMPACT_SECONDS:-300}))
	while ((SECONDS < deadline)); do
		active=$(metric "$base" vm_active_force_merges) || active=""
		[[ $active == 0 ]] && return 0
		sleep 1
	done
	log "VictoriaMetrics' forced merge did not end within ${COMPACT_SECONDS:-300}s"
	return 1
}

# awk_group defines group(n): n with thousands separators (1,234,567), or n
# unchanged when it is not a whole number; awk's %'d depends on the locale.
awk_group='function group(n,   s, r) {
	if (n !~ /^[0-9]+$/) return n
	s = n ""; r = ""
	while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) }
	return s r
}'

# kv FILE KEY: the value of KEY in an rwload --summary file.
kv() { awk -F= -v k="$2" '$1 == k { sub(/^[^=]*=/, ""); print; exit }' "$1"; }

printf 'global:\n  scrape_interval: 1m\n' >"$tmp/prometheus.yml"
log "building rwload"
go build -o "$tmp/rwload" ./bench/cmd/rwload
clk_tck=$(getconf CLK_TCK)
rwload_common="--series $series --samples-per-request $per_request --senders $senders --interval $interval --total-samples $total --start $start_ms --seed $seed --pregenerate${RWLOAD_FLAGS:+ $RWLOAD_FLAGS}"

rows=() commands=() notes=() problems=() noisy=()
declare -A sps cpu rss disk_b
for run in $runs; do
	system=${run%%:*} protocol=${run#*:}
	dir=$tmp/data-$system-$protocol
	mkdir -p "$dir"
	start_system "$system" "$dir"
	pid=$STARTED_PID base=$STARTED_BASE
	url=$base/api/v1/write
	commands+=("- $system: \`$STARTED_CMD\`")

	ticks0=$(cpu_ticks "$pid")
	summary=$tmp/summary-$system-$protocol
	rc=0
	# shellcheck disable=SC2086 # rwload_common is a list of flags on purpose.
	"$tmp/rwload" --url "$url" --protocol "$protocol" $rwload_common --watch-pid "$pid" --summary "$summary" >&2 || rc=$?
	[[ -f $summary ]] || die "$system $protocol: rwload wrote no summary (exit $rc)"
	accepted=$(kv "$summary" samples_accepted)

	# Ours and Prometheus cut their block in the background once the head
	# spans over 3h; that work belongs to ingesting, so CPU and peak memory
	# are read after it. VictoriaMetrics flushes its in-memory parts first.
	block_note=""
	case $system in
	nexclipper | prometheus) wait_head_compacted "$base" "$dir" || block_note=" (compaction unfinished)" ;;
	victoriametrics) curl -fsS --max-time 60 -o /dev/null "$base/internal/force_flush" ;;
	esac
	ticks1=$(cpu_ticks "$pid")
	peak=$(peak_rss_kib "$pid")

	series_found=$(query "$base" 'count({__name__=~".+"})')
	samples_found=$(query "$base" "$(samples_query "$base")")

	case $system in
	nexclipper | prometheus)
		read -r bbytes bsamples bblocks < <(block_stats "$dir")
		if ((bsamples > 0)); then
			compacted=$(awk -v b="$bbytes" -v s="$bsamples" -v n="$bblocks" 'BEGIN { printf "%.2f (%d block%s, %.1fM samples)", b / s, n, n == 1 ? "" : "s", s / 1e6 }')
			disk_b[$run]=$(awk -v b="$bbytes" -v s="$bsamples" 'BEGIN { printf "%.4f", b / s }')
		else
			compacted="no block"
		fi
		compacted+=$block_note
		;;
	victoriametrics)
		vm_force_merge "$base" || true
		vbytes=$(du -sb "$dir" | cut -f1)
		compacted=$(awk -v b="$vbytes" -v s="$accepted" 'BEGIN { if (s > 0) printf "%.2f (data dir after force_flush + force_merge)", b / s; else print "n/a" }')
		((accepted > 0)) && disk_b[$run]=$(awk -v b="$vbytes" -v s="$accepted" 'BEGIN { printf "%.4f", b / s }')
		;;
	esac

	stop_pid "$pid"
	after_stop=$(du -sb "$dir" | cut -f1)
	what=$([[ $system == victoriametrics ]] && echo "data dir, caches saved at shutdown included" || echo "WAL + head chunks + blocks")
	stopped=$(awk -v b="$after_stop" -v s="$accepted" -v w="$what" 'BEGIN { if (s > 0) printf "%.2f (%s)", b / s, w; else print "n/a" }')
	rm -rf "$dir"

	cpu_m=$(awk -v t="$((ticks1 - ticks0))" -v hz="$clk_tck" -v s="$accepted" 'BEGIN { if (s > 0) printf "%.2f", t / hz / s * 1e6; else print "n/a" }')
	rss_mib=$(awk -v k="$peak" 'BEGIN { printf "%.0f", k / 1024 }')
	sps[$run]=$(kv "$summary" samples_per_second)
	cpu[$run]=$cpu_m
	rss[$run]=$rss_mib

	failures=$(kv "$summary" failures)
	failed=$(kv "$summary" failed_requests)
	rows+=("$(awk -v sys="$system" -v p="$protocol" -v sps="${sps[$run]}" -v cpu="$cpu_m" -v rss="$rss_mib" \
		-v comp="$compacted" -v stop="$stopped" -v sf="$series_found" -v smf="$samples_found" \
		-v f="$failed" -v fs="$failures" -v req="$(kv "$summary" requests)" "$awk_group"'
		BEGIN {
			printf "| %s | %s | %s | %s | %s MiB | %s | %s | %s | %s | %s |",
				sys, p, group(sps), cpu, rss, comp, stop, group(sf), group(smf),
				(f == 0 ? "0 of " group(req) : group(f) " of " group(req) " (" fs ")")
		}')")
	elapsed=$(kv "$summary" elapsed_seconds)
	cores() { awk -v c="${1:-}" -v e="$elapsed" 'BEGIN { if (c == "" || e <= 0) print "?"; else printf "%.2f", c / e }'; }
	others=$(cores "$(kv "$summary" others_cpu_seconds)")
	notes+=("- $system $protocol: rwload $elapsed s, latency p50 $(kv "$summary" latency_p50_ms) ms / p99 $(kv "$summary" latency_p99_ms) ms, wire $(awk -v w="$(kv "$summary" wire_bytes)" -v s="$(kv "$summary" samples_sent)" 'BEGIN { if (s > 0) printf "%.1f", w / s; else print "n/a" }') B/sample; CPU while sending: $system $(cores "$(kv "$summary" watched_cpu_seconds)") cores, rwload $(cores "$(kv "$summary" generator_cpu_seconds)"), everything else $others (rwload encoded beforehand: $(kv "$summary" prepare_cpu_seconds) CPU-s in $(kv "$summary" prepare_seconds) s); Samples-Written headers add up to $(kv "$summary" written_header_samples) on $(kv "$summary" answers_with_written_header) answers, $(kv "$summary" answers_without_written_header) answers without.")
	if [[ $others != "?" ]] && awk -v o="$others" 'BEGIN { exit !(o > 0.25) }'; then
		noisy+=("$system $protocol: other processes took $others cores while rwload sent")
	fi

	[[ $failed == 0 ]] || problems+=("$system $protocol: $failed failed requests ($failures)")
	[[ $series_found =~ ^[0-9]+$ ]] && ((series_found >= series)) ||
		problems+=("$system $protocol: a query finds $series_found of $series series")
	[[ $samples_found =~ ^[0-9]+$ ]] && ((samples_found >= accepted)) ||
		problems+=("$system $protocol: a query finds $samples_found of $accepted accepted samples")
	log "$system $protocol done: ${sps[$run]} samples/s, $cpu_m CPU-s per million, $rss_mib MiB peak, $series_found series found"
done

# ratio A B: A/B with two decimals, or n/a.
ratio() { awk -v a="${1:-}" -v b="${2:-}" 'BEGIN { if (a == "" || b == "" || a == "n/a" || b == "n/a" || b + 0 == 0) print "n/a"; else printf "%.2f×", a / b }'; }
ratio_lines=()
for protocol in 1.0 2.0; do
	for anchor in prometheus victoriametrics; do
		o=nexclipper:$protocol a=$anchor:$protocol
		[[ -n ${sps[$o]:-} && -n ${sps[$a]:-} ]] || continue
		ratio_lines+=("- ours / $anchor, $protocol: samples/s $(ratio "${sps[$o]}" "${sps[$a]}"), CPU-s per million $(ratio "${cpu[$o]}" "${cpu[$a]}"), peak RSS $(ratio "${rss[$o]}" "${rss[$a]}"), bytes/sample compacted $(ratio "${disk_b[$o]:-}" "${disk_b[$a]:-}").")
	done
done

mkdir -p "$(dirname "$out_md")"
{
	echo "Run $(date -u +%Y-%m-%dT%H:%M:%SZ); uname -r $(uname -r); nproc $(nproc); command: \`$prog $*\`"
	echo
	echo "Load: \`rwload --url URL --protocol P $rwload_common\`, the same for every run: $series series (node_exporter and cAdvisor shapes), $rounds rounds of $interval from $(date -u -d "@$((start_ms / 1000))" +%Y-%m-%dT%H:%M:%SZ) (a 2h block boundary) to $(date -u -d "@$((last_ms / 1000))" +%Y-%m-%dT%H:%M:%SZ), $total samples, byte-identical requests to every system (seed $seed). Systems ran one at a time, each on an empty data directory, sharing $(nproc) cores with rwload, which encodes all requests before it starts the clock (\`--pregenerate\`) and then only sends them."
	echo
	echo "Columns: samples/s = samples answered 2xx / rwload's wall time. CPU-s per million = the system's utime + stime (/proc/PID/stat) from just before rwload started until its 2h block was written (ours, Prometheus) or its data flushed (VictoriaMetrics), per million accepted samples. Peak RSS = VmHWM at the same moment (before the check queries). Compacted B/sample: ours and Prometheus = bytes of the block directories / samples in them (meta.json numSamples), the head cut into a 2h block once it spanned over 3h; VictoriaMetrics = its whole data directory after /internal/force_flush and /internal/force_merge / accepted samples. After stop = the whole data directory after SIGTERM / accepted samples (ours and Prometheus: WAL + m-mapped head chunks + the block, not compacted). Series and samples found = \`count({__name__=~\".+\"})\` and the sum over every metric name of \`sum(count_over_time({__name__=\"NAME\"}[${span_s}s]))\` at the last sample's time: a 2xx that stored nothing shows here. MiB = 2^20 bytes."
	echo
	echo "| system | protocol | samples/s | CPU-s per million | peak RSS | compacted B/sample | after stop B/sample | series found | samples found | failed requests |"
	echo "|---|---|---|---|---|---|---|---|---|---|"
	printf '%s\n' "${rows[@]}"
	echo
	printf '%s\n' "${ratio_lines[@]}"
	echo
	echo "Commands (ports and directories were temporary):"
	printf '%s\n' "${commands[@]}"
	echo
	echo "Per run:"
	printf '%s\n' "${notes[@]}"
	if ((${#noisy[@]} > 0)); then
		echo
		echo "Noise (this machine is shared; compare these runs with care):"
		printf -- '- %s\n' "${noisy[@]}"
	fi
	if ((${#problems[@]} > 0)); then
		echo
		echo "Problems:"
		printf -- '- %s\n' "${problems[@]}"
	fi
} >"$out_md"
cat "$out_md"
log "wrote $out_md"
if ((${#problems[@]} > 0)); then
	die "${#problems[@]} problem(s), see the report"
fi
