#!/usr/bin/env bash
# One-machine pipeline for `make run`: the exporter on EXPORTER_ADDR and the
# receiver on RECEIVER_ADDR scraping it (no Prometheus needed). Ctrl-C stops
# both. Usage: deploy/local/run.sh BIN_DIR EXPORTER_ADDR RECEIVER_ADDR RUN_DIR
set -euo pipefail
bin=$1 exporter_addr=$2 receiver_addr=$3 run_dir=$4
mkdir -p "$run_dir"
sed "s/EXPORTER_ADDR/$exporter_addr/" "$(dirname "$0")/scrape.yml" > "$run_dir/scrape.yml"

"$bin/nexclipper-exporter" --web.listen-address="$exporter_addr" > "$run_dir/exporter.log" 2>&1 &
exporter_pid=$!
trap 'kill "$exporter_pid" 2>/dev/null; wait "$exporter_pid" 2>/dev/null || true' EXIT

cat <<MSG
nexclipper-exporter: http://$exporter_addr/metrics   (log: $run_dir/exporter.log)
nexclipper-receiver: http://$receiver_addr           (data: $run_dir/data)
  Prometheus data source URL for Grafana: http://$receiver_addr
  try:  curl -s 'http://$receiver_addr/api/v1/query?query=up'
        curl -s 'http://$receiver_addr/api/v1/query?query=rate(node_cpu_seconds_total[1m])'
  remote_write URL for a Prometheus: http://$receiver_addr/api/v1/write
Ctrl-C stops both.
MSG
"$bin/nexclipper-receiver" --web.listen-address="$receiver_addr" \
	--storage.path="$run_dir/data" --scrape.config-file="$run_dir/scrape.yml"
