#!/usr/bin/env bash
# Stop the local cloud that scripts/localcloud-up.sh started from this checkout, and only that one
# (recorded in .localcloud/server.json). See provisioner/localcloud/daemon.py.
# Usage: scripts/localcloud-down.sh   (LOCALCLOUD_DIR: another directory than .localcloud)
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python -m provisioner.localcloud.daemon down --dir "${LOCALCLOUD_DIR:-.localcloud}"
