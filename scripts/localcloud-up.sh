#!/usr/bin/env bash
# Start this checkout's local cloud in the background, or reuse it when it already runs; refuse a
# local cloud (or anything else) on the port that is not this checkout's. Records its pid and
# state file in .localcloud/server.json; state persists in .localcloud/state.sqlite, so a restart
# keeps every account. See provisioner/localcloud/daemon.py.
# Usage: scripts/localcloud-up.sh [PORT]   (LOCALCLOUD_DIR: another directory than .localcloud)
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python -m provisioner.localcloud.daemon up --port "${1:-${LOCALCLOUD_PORT:-8790}}" \
	--dir "${LOCALCLOUD_DIR:-.localcloud}"
