"""`make`'s local cloud (scripts/localcloud-up.sh, -down.sh; provisioner/localcloud/daemon.py):
reused only when it serves this checkout's state file, another checkout's refused by name, and
`down` stops only the one this checkout started. Two "checkouts" are two directories here."""

from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from provisioner.localcloud.admin_client import AdminClient
from provisioner.localcloud.daemon import start_time

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def script(name: str, directory: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(REPO / "scripts" / name), *args], env={**os.environ, "LOCALCLOUD_DIR": str(directory)},
                          capture_output=True, text=True, timeout=120)


def alive(pid: int, started: str) -> bool:
    return start_time(pid) == started


@pytest.fixture
def checkouts(tmp_path):
    """Two checkouts' local cloud directories; whatever they started is stopped afterwards."""
    dirs = [tmp_path / "one" / ".localcloud", tmp_path / "two" / ".localcloud"]
    yield dirs
    for d in dirs:
        script("localcloud-down.sh", d)


def test_up_reuses_its_own_refuses_another_checkouts_and_down_stops_only_its_own(checkouts):
    one, two = checkouts
    port = str(free_port())
    started = script("localcloud-up.sh", one, port)
    assert started.returncode == 0, started.stderr
    record = json.loads((one / "server.json").read_text())
    health = AdminClient(f"http://127.0.0.1:{port}").health()
    assert health == {"status": "ok", "pid": record["pid"], "state": str((one / "state.sqlite").resolve())}
    assert record["state"] == health["state"] and record["port"] == int(port)

    again = script("localcloud-up.sh", one, port)
    assert again.returncode == 0 and f"already running on http://127.0.0.1:{port} (pid {record['pid']})" in again.stderr

    refused = script("localcloud-up.sh", two, port)
    assert refused.returncode == 1
    message = refused.stderr
    assert f"port {port} is taken by another local cloud (serving {health['state']})" in message, message
    assert f"pid {record['pid']} (" in message and f"kill {record['pid']}" in message
    assert f"`make down` in {one.resolve().parent}" in message
    assert not (two / "server.json").exists()

    assert script("localcloud-down.sh", two).returncode == 0
    assert alive(record["pid"], record["start_time"]), "down in another checkout stopped this one's local cloud"

    stopped = script("localcloud-down.sh", one)
    assert stopped.returncode == 0 and f"stopped the local cloud on http://127.0.0.1:{port}" in stopped.stderr
    assert not alive(record["pid"], record["start_time"])   # down waits until it has exited
    assert not (one / "server.json").exists()


def test_down_never_stops_a_process_that_only_reuses_the_recorded_pid(checkouts):
    one, _ = checkouts
    bystander = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        one.mkdir(parents=True)
        (one / "server.json").write_text(json.dumps({"pid": bystander.pid, "start_time": "1", "port": 1}))
        result = script("localcloud-down.sh", one)
        assert result.returncode == 0 and "is not running any more" in result.stderr, result.stderr
        assert bystander.poll() is None
    finally:
        bystander.kill()
        bystander.wait()


def test_up_refuses_a_port_held_by_something_else_and_names_it(checkouts):
    one, _ = checkouts
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)   # answers 501
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = script("localcloud-up.sh", one, str(server.server_port))
        assert result.returncode == 1
        assert f"is taken by a server that is not a local cloud: pid {os.getpid()} (" in result.stderr, result.stderr
        assert not (one / "server.json").exists()
    finally:
        server.shutdown()
        server.server_close()
