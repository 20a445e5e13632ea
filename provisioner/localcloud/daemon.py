"""This checkout's local cloud in the background, for `make`: started, reused or stopped.

Two checkouts on one machine must not share a local cloud: the second `make up` would run its
stack against the first one's accounts ("already exists and is not managed by this stack"), and
its `make down` would destroy them. So:

- `up` reuses a local cloud answering on the port only when it serves this checkout's state
  file (its /_localcloud/health says which file, and its pid). Anything else on the port is
  refused, with the other process named and how to stop it. When the port is free it starts
  `provisioner localcloud` detached (output in DIR/server.log), waits until it listens, and
  records its pid, start time, port and state file in DIR/server.json.
- `down` stops the process recorded there, and only while it is still that process (same pid
  and start time): never whatever else answers on the port.

    python -m provisioner.localcloud.daemon up [--port 8790] [--dir .localcloud]
    python -m provisioner.localcloud.daemon down [--dir .localcloud]

Exit status 0 on success, 1 when refused or when the server did not start.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
from pathlib import Path

from .admin_client import AdminClient, AdminRequestError

START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
RECORD = "server.json"
LEGACY_PID = "pid"        # written by the earlier scripts/localcloud-up.sh


def say(message: str) -> None:
    print(f"localcloud: {message}", file=sys.stderr, flush=True)


# --- processes --------------------------------------------------------------------------------

def start_time(pid: int) -> str | None:
    """When the process started (identifies it together with its pid), or None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        return None if fields[0] == "Z" else fields[19]     # field 22; a zombie has exited
    except FileNotFoundError:
        return None
    except OSError:
        pass
    out = subprocess.run(["ps", "-o", "lstart=", "-p", str(pid)], capture_output=True, text=True)  # no /proc
    return out.stdout.strip() or None


def command_of(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        out = subprocess.run(["ps", "-o", "command=", "-p", str(pid)], capture_output=True, text=True)
        return out.stdout.strip()


def listener_pid(port: int) -> int | None:
    """The pid listening on 127.0.0.1:port, when /proc tells (Linux; own processes only)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            if cols[3] == "0A" and int(cols[1].rpartition(":")[2], 16) == port:   # 0A: LISTEN
                inodes.add(f"socket:[{cols[9]}]")
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        try:
            if any(os.readlink(fd) in inodes for fd in fd_dir.iterdir()):
                return int(fd_dir.parent.name)
        except OSError:
            continue
    return None


def stop(pid: int, started: str | None) -> None:
    """SIGTERM (the server shuts down gracefully), SIGKILL if it is still there after STOP_TIMEOUT."""
    try:
        os.kill(pid, signal.SIGTERM)
        until = time.monotonic() + STOP_TIMEOUT
        while start_time(pid) == started:
            if time.monotonic() > until:
                os.kill(pid, signal.SIGKILL)
                break
            time.sleep(0.05)
    except ProcessLookupError:   # exited meanwhile
        pass


# --- the record ---------------------------------------------------------------------------------

def read_record(directory: Path) -> dict | None:
    try:
        return json.loads((directory / RECORD).read_text())
    except (OSError, ValueError):
        return None


def write_record(directory: Path, record: dict) -> None:
    tmp = directory / (RECORD + ".tmp")
    tmp.write_text(json.dumps(record, indent=2) + "\n")
    tmp.replace(directory / RECORD)


def legacy_own_pid(directory: Path) -> int | None:
    """A local cloud started by the earlier script from this checkout (pid file, no record),
    recognised by its command line and working directory."""
    try:
        pid = int((directory / LEGACY_PID).read_text())
        cwd = Path(os.readlink(f"/proc/{pid}/cwd"))
    except (OSError, ValueError):
        return None
    ours = cwd == directory.resolve().parent and f"--state {directory.name}/state.sqlite" in command_of(pid)
    return pid if ours and "localcloud" in command_of(pid) else None


# --- up / down ----------------------------------------------------------------------------------

def probe(url: str) -> dict | str | None:
    """The health answer of the server at url; None when nothing listens; "foreign" for a server
    that is not a local cloud."""
    try:
        answer = AdminClient(url, timeout=5).health()
    except urllib.error.URLError as exc:
        return None if isinstance(exc.reason, ConnectionRefusedError) else "foreign"
    except (AdminRequestError, OSError, ValueError):   # an HTTP error, no JSON, a reset, a timeout
        return "foreign"
    return answer if isinstance(answer, dict) and answer.get("status") == "ok" else "foreign"


def refuse(port: int, state: Path, pid: int | None, what: str, other_state: str | None = None) -> int:
    command = command_of(pid) if pid else ""
    who = (f"pid {pid}" + (f" ({command})" if command else "")) if pid else "a process this user cannot see"
    where = "the checkout it belongs to"
    if other_state and Path(other_state).parent.name == ".localcloud":
        where = str(Path(other_state).parent.parent)
    how = (f"Stop it (`make down` in {where}, or `kill {pid}`)" if pid else
           f"Find it with `ss -ltnp 'sport = :{port}'` or `lsof -i :{port}`, stop it")
    say(f"port {port} is taken by {what}: {who}. This checkout's local cloud serves {state}; running this "
        f"stack against another one would mix up two checkouts' accounts, so it is not reused. "
        f"{how}, then run this again.")
    return 1


def up(port: int, directory: Path) -> int:
    directory.mkdir(parents=True, exist_ok=True)
    state = (directory / "state.sqlite").resolve()
    url = f"http://127.0.0.1:{port}"
    legacy = legacy_own_pid(directory)
    if legacy and read_record(directory) is None:
        say(f"restarting this checkout's local cloud (pid {legacy}, started by an older `make`) so that it "
            f"reports its state file")
        stop(legacy, start_time(legacy))
        (directory / LEGACY_PID).unlink(missing_ok=True)
    answer = probe(url)
    if isinstance(answer, dict):
        if answer.get("state") != str(state):
            other = f"another local cloud (serving {answer['state']})" if answer.get("state") else \
                "a local cloud that does not say which state file it serves (an older version)"
            return refuse(port, state, answer.get("pid") or listener_pid(port), other, answer.get("state"))
        record = read_record(directory) or {}
        started_here = record.get("pid") == answer.get("pid")
        say(f"already running on {url} (pid {answer.get('pid')}" +
            ("" if started_here else "; not started by `make`, so `make down` leaves it running") + ")")
        return 0
    if answer == "foreign":
        return refuse(port, state, listener_pid(port), "a server that is not a local cloud")

    port_file = directory / "port"
    port_file.unlink(missing_ok=True)
    with open(directory / "server.log", "ab") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "provisioner.cli", "localcloud", "--port", str(port), "--state", str(state),
             "--port-file", str(port_file)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    until = time.monotonic() + START_TIMEOUT
    while not port_file.exists():   # written (atomically) once it listens
        if server.poll() is not None or time.monotonic() > until:
            if server.poll() is None:
                server.kill()
            tail = (directory / "server.log").read_text(errors="replace").splitlines()[-20:]
            say("failed to start:\n" + "\n".join(tail))
            return 1
        time.sleep(0.1)
    write_record(directory, {"pid": server.pid, "start_time": start_time(server.pid), "port": port,
                             "url": url, "state": str(state)})
    say(f"running on {url} (pid {server.pid}, state {state}, log {directory / 'server.log'})")
    return 0


def down(directory: Path) -> int:
    record = read_record(directory)
    legacy = legacy_own_pid(directory)
    if record is None and legacy is None:
        say(f"no local cloud started by this checkout is recorded in {directory / RECORD}; nothing to stop")
        return 0
    if record is not None:
        pid, started = record["pid"], record.get("start_time")
        if started and start_time(pid) == started:
            stop(pid, started)
            say(f"stopped the local cloud on {record.get('url')} (pid {pid})")
        else:
            say(f"the local cloud recorded in {directory / RECORD} (pid {pid}) is not running any more")
        (directory / RECORD).unlink(missing_ok=True)
    if legacy is not None:
        stop(legacy, start_time(legacy))
        say(f"stopped the local cloud started by an older `make` (pid {legacy})")
    (directory / LEGACY_PID).unlink(missing_ok=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m provisioner.localcloud.daemon", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["up", "down"])
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--dir", type=Path, default=Path(".localcloud"))
    args = parser.parse_args(argv)
    return up(args.port, args.dir) if args.command == "up" else down(args.dir)


if __name__ == "__main__":
    sys.exit(main())
