# Shared by the bench/*.sh harnesses (sourced, not run): temporary directory,
# processes stopped by PID on exit, free ports on 127.0.0.1.
# The sourcing script sets prog (its name) and stop_seconds (how long a
# process may take to exit on SIGTERM before SIGKILL) before sourcing.

tmp=$(mktemp -d)
pids=()

# stop_pid PID: SIGTERM, then SIGKILL once stop_seconds have passed.
stop_pid() {
	local pid=$1 i
	kill "$pid" 2>/dev/null || return 0
	for ((i = 0; i < stop_seconds * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "$prog: pid $pid ignored SIGTERM for ${stop_seconds}s; SIGKILL" >&2
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}
cleanup() {
	local pid
	for pid in ${pids[@]+"${pids[@]}"}; do stop_pid "$pid"; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# free_port prints a TCP port on 127.0.0.1 that nothing listens on right now;
# another process may still take it before ours binds, so callers retry.
free_port() {
	if command -v python3 >/dev/null; then
		python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
	else
		echo $((20000 + RANDOM % 40000))
	fi
}
