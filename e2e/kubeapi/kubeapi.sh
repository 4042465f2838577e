#!/usr/bin/env bash
# kubeapi.sh: a real kube-apiserver + etcd on 127.0.0.1 for tests.
#
#   kubeapi.sh build        build both binaries into the cache, unless already there
#   kubeapi.sh start DIR    start etcd + kube-apiserver with data and certs under DIR;
#                           prints DIR/admin.kubeconfig once /readyz answers ok
#   kubeapi.sh stop DIR     stop exactly the processes listed in DIR/pids, wait for exit
#
# After start, DIR holds:
#   admin.kubeconfig  bearer token of user "admin" in group system:masters
#   env               KUBECONFIG, KUBE_APISERVER_URL, KUBE_ADMIN_TOKEN, KUBE_CA_FILE,
#                     ETCD_URL as KEY='value' lines (source it from a shell)
#   pids              one "name pid" line per started process
#   serving.crt       the self-signed serving certificate (SAN IP 127.0.0.1): the CA
#   etcd.log, kube-apiserver.log
#
# Binaries live outside the checkout, keyed by version, so that a fresh clone reuses
# them: $NEXCLIPPER_TOOLS (default $HOME/.cache/nexclipper/bin).
# With KUBEAPI_OWNER_PID set, start also leaves a watchdog that stops both servers
# when that process exits (a test binary killed by its timeout skips its cleanup).
#
# Needs bash, openssl, curl and python3 (free ports), all in the Debian base image.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KUBE_VERSION=v1.37.2
ETCD_VERSION=v3.6.16
TOOLS=${NEXCLIPPER_TOOLS:-$HOME/.cache/nexclipper/bin}
APISERVER=$TOOLS/kube-apiserver-$KUBE_VERSION/kube-apiserver
ETCD=$TOOLS/etcd-$ETCD_VERSION/etcd
READY_TIMEOUT=${KUBEAPI_READY_TIMEOUT:-60} # seconds, for each server
# Two packages at a time keep the cold apiserver build near 2.5 GB of memory.
BUILD_PARALLEL=${KUBEAPI_BUILD_PARALLEL:-2}

die() {
	echo "kubeapi.sh: $*" >&2
	exit 1
}

# version_ldflags sets what hack/lib/version.sh sets in a release build, so that
# /version reports v1.37.2 rather than v0.0.0-master. The module zip has no git
# commit to report, so gitCommit is empty and buildDate keeps its fixed default.
version_ldflags() {
	local minor=${KUBE_VERSION#v1.} flags="-s -w" pkg
	minor=${minor%%.*}
	for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
		flags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
		flags+=" -X $pkg.gitTreeState=clean -X $pkg.gitCommit="
	done
	echo "$flags"
}

cmd_build() {
	if [[ -x $APISERVER ]]; then
		echo "kube-apiserver $KUBE_VERSION: $APISERVER (cached)"
	else
		echo "building kube-apiserver $KUBE_VERSION into $APISERVER (5 to 9 minutes cold)"
		(cd "$HERE" && go build -p "$BUILD_PARALLEL" -trimpath -ldflags "$(version_ldflags)" \
			-o "$APISERVER.tmp" k8s.io/kubernetes/cmd/kube-apiserver)
		mv "$APISERVER.tmp" "$APISERVER"
	fi
	if [[ -x $ETCD ]]; then
		echo "etcd $ETCD_VERSION: $ETCD (cached)"
	else
		# A module of its own: k8s.io/kubernetes v1.37.2 pulls etcd v3.7.0, which
		# would replace v3.6.16 in a shared build list.
		echo "building etcd $ETCD_VERSION into $ETCD"
		(cd "$HERE/etcd" && go build -p "$BUILD_PARALLEL" -trimpath -ldflags "-s -w" \
			-o "$ETCD.tmp" go.etcd.io/etcd/server/v3)
		mv "$ETCD.tmp" "$ETCD"
	fi
}

# free_ports N prints N distinct ports that the kernel had free on 127.0.0.1.
free_ports() {
	python3 - "$1" <<-'EOF'
		import socket, sys
		socks = []
		for _ in range(int(sys.argv[1])):
		    s = socket.socket()
		    s.bind(("127.0.0.1", 0))
		    socks.append(s)
		print(" ".join(str(s.getsockname()[1]) for s in socks))
	EOF
}

# wait_for NAME PID URL CURL_ARGS...: poll URL until it answers "ok" (or etcd's health).
wait_for() {
	local name=$1 pid=$2 url=$3 deadline=$((SECONDS + READY_TIMEOUT)) body
	shift 3
	while ((SECONDS < deadline)); do
		if ! alive "$pid"; then
			tail -n 20 "$DIR/$name.log" >&2 || true
			die "$name exited during start; log: $DIR/$name.log"
		fi
		body=$(curl -fsS --max-time 2 "$@" "$url" 2>/dev/null || true)
		if [[ $body == ok || $body == *'"health":"true"'* ]]; then
			return 0
		fi
		sleep 0.1
	done
	die "$name not ready at $url after ${READY_TIMEOUT}s; log: $DIR/$name.log"
}

write_certs() {
	# Serving certificate, self-signed, so it is its own CA for clients.
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 365 \
		-subj "/CN=kube-apiserver" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
		-keyout "$DIR/serving.key" -out "$DIR/serving.crt" 2>/dev/null
	# Service-account signing key pair, for the TokenRequest API.
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out "$DIR/sa.key" 2>/dev/null
	openssl pkey -in "$DIR/sa.key" -pubout -out "$DIR/sa.pub" 2>/dev/null
}

# write_kubeconfig FILE URL CA TOKEN
write_kubeconfig() {
	cat >"$1" <<-EOF
		apiVersion: v1
		kind: Config
		clusters:
		- name: kubeapi
		  cluster:
		    server: $2
		    certificate-authority: $3
		users:
		- name: user
		  user:
		    token: $4
		contexts:
		- name: kubeapi
		  context:
		    cluster: kubeapi
		    user: user
		current-context: kubeapi
	EOF
}

cmd_start() {
	[[ -n ${1:-} ]] || die "usage: kubeapi.sh start DIR"
	mkdir -p "$1"
	DIR=$(cd "$1" && pwd)
	[[ ! -s $DIR/pids ]] || die "$DIR/pids exists: stop that instance first (kubeapi.sh stop $DIR)"
	if [[ ! -x $APISERVER || ! -x $ETCD ]]; then
		echo "kubeapi.sh: missing $APISERVER or $ETCD; build them with: bash e2e/kubeapi/kubeapi.sh build" >&2
		exit 3
	fi
	local started=$SECONDS etcd_port peer_port api_port token
	read -r etcd_port peer_port api_port <<<"$(free_ports 3)"
	token=$(openssl rand -hex 24)
	write_certs
	# user,uid,"groups": system:masters passes every RBAC check.
	echo "$token,admin,admin,\"system:masters\"" >"$DIR/tokens.csv"
	chmod 600 "$DIR/tokens.csv" "$DIR/serving.key" "$DIR/sa.key"
	# On failure below, stop whatever was already started.
	trap 'cmd_stop "$DIR" >/dev/null 2>&1 || true' EXIT
	if [[ -n ${KUBEAPI_OWNER_PID:-} ]]; then
		setsid bash "$HERE/kubeapi.sh" watch "$DIR" "$KUBEAPI_OWNER_PID" </dev/null >/dev/null 2>&1 &
		echo "watchdog $!" >>"$DIR/pids"
	fi

	local etcd_url=http://127.0.0.1:$etcd_port peer_url=http://127.0.0.1:$peer_port
	# --unsafe-no-fsync: test data, nothing to keep across a crash.
	setsid "$ETCD" --name=kubeapi --data-dir="$DIR/etcd" \
		--listen-client-urls="$etcd_url" --advertise-client-urls="$etcd_url" \
		--listen-peer-urls="$peer_url" --initial-advertise-peer-urls="$peer_url" \
		--initial-cluster="kubeapi=$peer_url" --unsafe-no-fsync --log-level=warn \
		</dev/null >"$DIR/etcd.log" 2>&1 &
	echo "etcd $!" >>"$DIR/pids"
	wait_for etcd $! "$etcd_url/health"

	local url=https://127.0.0.1:$api_port
	setsid "$APISERVER" --bind-address=127.0.0.1 --advertise-address=127.0.0.1 \
		--secure-port="$api_port" \
		--tls-cert-file="$DIR/serving.crt" --tls-private-key-file="$DIR/serving.key" \
		--etcd-servers="$etcd_url" \
		--token-auth-file="$DIR/tokens.csv" \
		--anonymous-auth=false \
		--authorization-mode=RBAC \
		--disable-admission-plugins=ServiceAccount \
		--endpoint-reconciler-type=none \
		--service-cluster-ip-range=10.0.0.0/24 \
		--service-account-issuer="$url" \
		--service-account-key-file="$DIR/sa.pub" \
		--service-account-signing-key-file="$DIR/sa.key" \
		--profiling=false \
		</dev/null >"$DIR/kube-apiserver.log" 2>&1 &
	echo "kube-apiserver $!" >>"$DIR/pids"
	wait_for kube-apiserver $! "$url/readyz" --cacert "$DIR/serving.crt" -H "Authorization: Bearer $token"

	trap - EXIT

	write_kubeconfig "$DIR/admin.kubeconfig" "$url" "$DIR/serving.crt" "$token"
	cat >"$DIR/env" <<-EOF
		KUBECONFIG='$DIR/admin.kubeconfig'
		KUBE_APISERVER_URL='$url'
		KUBE_ADMIN_TOKEN='$token'
		KUBE_CA_FILE='$DIR/serving.crt'
		ETCD_URL='$etcd_url'
	EOF
	echo "kubeapi.sh: ready at $url in $((SECONDS - started))s" >&2
	echo "$DIR/admin.kubeconfig"
}

# cmd_watch DIR OWNER: the watchdog; stops the servers once OWNER has exited.
cmd_watch() {
	while kill -0 "$2" 2>/dev/null; do
		sleep 1
	done
	WATCHDOG=$$ cmd_stop "$1"
}

# alive PID: the process exists and is not a zombie (a failed start's own children
# stay zombies until this script exits).
alive() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[[ ${stat:0:1} != Z ]]
}

cmd_stop() {
	[[ -n ${1:-} ]] || die "usage: kubeapi.sh stop DIR"
	local dir name pid cmdline pids=() servers=()
	[[ -f $1/pids ]] || return 0
	dir=$(cd "$1" && pwd)
	# The watchdog first (it would stop them too), then in reverse order of start:
	# the apiserver before its etcd.
	while read -r name pid; do
		if [[ $pid == "${WATCHDOG:-}" ]]; then
			continue
		elif [[ $name == watchdog ]]; then
			pids=("$pid" "${pids[@]}")
		else
			servers=("$pid" "${servers[@]}")
		fi
	done <"$dir/pids"
	for pid in "${pids[@]}" "${servers[@]}"; do
		# A PID reused since then by another program does not name $dir.
		cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || continue
		[[ $cmdline == *"$dir"* ]] || continue
		kill -TERM "$pid" 2>/dev/null || continue
		for _ in $(seq 150); do
			alive "$pid" || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
	done
	rm -f "$dir/pids"
}

case ${1:-} in
build) cmd_build ;;
start) cmd_start "${2:-}" ;;
stop) cmd_stop "${2:-}" ;;
watch) cmd_watch "$2" "$3" ;;
*) die "usage: kubeapi.sh build | start DIR | stop DIR" ;;
esac
