#!/usr/bin/env bash
# Kubernetes cluster-mode benchmark: nexclipper-exporter against a real
# kube-apiserver holding 5,000 pods in 200 deployments (and their replica sets).
#
# Usage: bench/kube.sh OURS_BINARY [OUT_MD]
#
# Starts kube-apiserver v1.37.2 + etcd with e2e/kubeapi/kubeapi.sh (binaries
# cached in ~/.cache/nexclipper/bin; `make kubeapi` builds them), runs
# bench/cmd/kubebench, which fills the cluster, runs the exporter in cluster
# mode and measures it, and always stops the servers. OUT_MD defaults to
# bench/results/kube.md.
#
# Environment: KUBEBENCH_FLAGS is appended to the kubebench command (e.g.
# "--deployments 40" for a quick run).
#
# kube-state-metrics, the peer, cannot be built here: the Go module proxy
# answers 403 for k8s.io/kube-state-metrics/v2 (and this machine reaches no
# other source), so the report quotes its published figure instead.
set -euo pipefail

prog=bench/kube.sh
die() { echo "$prog: $*" >&2; exit 1; }

[[ $# -ge 1 && $# -le 2 ]] || die "usage: $prog OURS_BINARY [OUT_MD]"
abs_path() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/$1" ;; esac; }
ours_bin=$(abs_path "$1")
[[ -x $ours_bin && -f $ours_bin ]] || die "$1: not an executable file (build it first, e.g. make build)"
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out_md=$(abs_path "${2:-$repo/bench/results/kube.md}")
cd "$repo"
command -v go >/dev/null || die "go not found in PATH"

stop_seconds=5
# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"

# The API server is stopped by its own script, before lib.sh's cleanup
# removes its directory.
api_dir=$tmp/kubeapi
stop_api() { bash e2e/kubeapi/kubeapi.sh stop "$api_dir" >/dev/null 2>&1 || true; cleanup; }
trap stop_api EXIT

kubeconfig=$(bash e2e/kubeapi/kubeapi.sh start "$api_dir") ||
	die "kube-apiserver did not start (build it with: bash e2e/kubeapi/kubeapi.sh build)"

# shellcheck disable=SC2086 # KUBEBENCH_FLAGS is a list of flags
go run ./bench/cmd/kubebench --kubeconfig "$kubeconfig" --exporter "$ours_bin" --out "$out_md" \
	--reference "kube-state-metrics: not run (the Go module proxy answers 403 for k8s.io/kube-state-metrics/v2); the issue's reference is its ~0.9 MiB per pod." \
	${KUBEBENCH_FLAGS:-}
echo "$prog: wrote $out_md" >&2
