#!/usr/bin/env bash
# Start the local cloud in the background (if it is not already answering) and wait until it is
# ready — by its port file, not by sleeping. State persists in .localcloud/state.sqlite, so a
# restart keeps every account. Usage: scripts/localcloud-up.sh [PORT]
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${1:-${LOCALCLOUD_PORT:-8790}}"
mkdir -p .localcloud
if .venv/bin/provisioner localcloud-admin --url "http://127.0.0.1:$PORT" health >/dev/null 2>&1; then
	echo "local cloud already running on http://127.0.0.1:$PORT" >&2
	exit 0
fi
rm -f .localcloud/port
nohup .venv/bin/provisioner localcloud --port "$PORT" --state .localcloud/state.sqlite \
	--port-file .localcloud/port >>.localcloud/server.log 2>&1 &
echo $! >.localcloud/pid
# The server writes the port file once it listens; wait on the file, bounded, and fail loudly.
for _ in $(seq 1 300); do
	[ -s .localcloud/port ] && { echo "local cloud running on http://127.0.0.1:$PORT (log: .localcloud/server.log)" >&2; exit 0; }
	kill -0 "$(cat .localcloud/pid)" 2>/dev/null || { echo "local cloud failed to start:" >&2; tail -20 .localcloud/server.log >&2; exit 1; }
	sleep 0.1
done
echo "local cloud did not become ready in 30 s; see .localcloud/server.log" >&2
exit 1
