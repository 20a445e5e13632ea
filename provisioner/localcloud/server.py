"""Running the local cloud: `LocalCloud` (in-process, for tests) and `serve()` (the CLI).

Binds 127.0.0.1 only. The listening socket is bound before uvicorn starts, so port 0 gives
a free port with no race, and readiness is signalled by uvicorn's startup (no polling).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import threading
from pathlib import Path
from typing import Any, Callable, Iterator

from .extra import require_server

require_server()   # before the imports below: a clear message instead of ModuleNotFoundError

import uvicorn  # noqa: E402

from . import seed as seeds  # noqa: E402
from .admin_client import AdminClient  # noqa: E402
from .app import LocalCloudApp  # noqa: E402
from .behaviour import Behaviour  # noqa: E402
from .faults import Counters, Faults  # noqa: E402
from .registry import Registry  # noqa: E402
from .store import Store  # noqa: E402

HOST = "127.0.0.1"
DEFAULT_PORT = 8790
DEFAULT_STATE = ".localcloud/state.sqlite"
DEFAULT_ACCESS_KEY = "localcloud-access-key"
DEFAULT_SECRET_KEY = "localcloud-secret-key"

log = logging.getLogger("provisioner.localcloud")


def load_faults_arg(faults: dict | str | os.PathLike | None) -> dict[str, Any] | None:
    """A dict, inline JSON (starts with "{"), or a JSON file path."""
    if faults is None or isinstance(faults, dict):
        return faults
    text = str(faults).strip()
    return json.loads(text if text.startswith("{") else Path(text).read_text(encoding="utf-8"))


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, on_started: Callable[[], None]):
        super().__init__(config)
        self._on_started = on_started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self._loop, self._wake = asyncio.get_running_loop(), asyncio.Event()
        await super().startup(sockets)
        if self.started:
            self._on_started()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # uvicorn re-raises SIGINT/SIGTERM after its graceful shutdown (a traceback for SIGINT,
        # status -15 for SIGTERM); the CLI rather exits 0 once it has shut down cleanly.
        with super().capture_signals():
            try:
                yield
            finally:
                self._captured_signals.clear()

    async def main_loop(self) -> None:
        # uvicorn polls should_exit every 0.1 s; wake at once when stop() asks (faster tests).
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864000
            try:
                await asyncio.wait_for(self._wake.wait(), 0.1)
            except asyncio.TimeoutError:
                pass

    def exit_soon(self) -> None:
        """Thread-safe stop request."""
        self.should_exit = True
        try:
            self._loop.call_soon_threadsafe(self._wake.set)
        except (AttributeError, RuntimeError):  # not started yet / loop already closed
            pass


class LocalCloud:
    """The local cloud on 127.0.0.1:`port` (0: a free port).

    state: None for in-memory, or a SQLite file path (accounts survive restarts).
    seed: None (built-in), a dict or a JSON file path. faults: a config dict/JSON/file
    (see faults.py) or a Faults object. registry: injected services (tests).
    admin_token: when set, the admin interface requires `Authorization: Bearer <token>`.
    max_body: the largest request body accepted (default app.MAX_BODY_BYTES).
    behaviour: the timing profile ("realistic", the default, or "instant"; behaviour.py) or a
    Behaviour; behaviour_scale multiplies its delays.
    One-shot: start() once, stop() once (it closes the store it opened).
    """

    def __init__(self, state: str | os.PathLike | None = None, seed: dict | str | os.PathLike | None = None,
                 faults: Faults | dict | str | None = None, *, port: int = 0,
                 access_key: str = DEFAULT_ACCESS_KEY, secret_key: str = DEFAULT_SECRET_KEY,
                 credentials: dict[str, str] | None = None, registry: Registry | None = None,
                 admin_token: str | None = None, max_body: int | None = None,
                 behaviour: Behaviour | str = "realistic", behaviour_scale: float = 1.0):
        if state:
            Path(state).parent.mkdir(parents=True, exist_ok=True)
        self.store = Store(state)
        self.faults = faults if isinstance(faults, Faults) else Faults(load_faults_arg(faults))
        self.counters = Counters()
        self.credentials = credentials or {access_key: secret_key}
        self.access_key, self.secret_key = next(iter(self.credentials.items()))
        self.admin_token = admin_token
        self.app = LocalCloudApp(self.store, credentials=self.credentials, faults=self.faults,
                                 counters=self.counters, registry=registry, seed=seeds.load_seed_arg(seed),
                                 admin_token=admin_token, **({"max_body": max_body} if max_body else {}),
                                 behaviour=behaviour if isinstance(behaviour, Behaviour)
                                 else Behaviour(behaviour, behaviour_scale))
        self.behaviour = self.app.behaviour
        seeds.apply(self.store, self.app.seed)
        self._requested_port = port
        self._sock: socket.socket | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    # --- addresses ------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._sock is None:
            raise RuntimeError("LocalCloud is not started")
        return self._sock.getsockname()[1]

    @property
    def endpoint(self) -> str:
        """For SDK endpoints: "127.0.0.1:PORT" (with protocol="http")."""
        return f"{HOST}:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.endpoint}"

    @property
    def admin(self) -> AdminClient:
        return AdminClient(self.url, token=self.admin_token)

    def reset(self, *, reload_seed: bool = False, restore_faults: bool = False) -> None:
        self.app.reset(reload_seed=reload_seed, restore_faults=restore_faults)

    # --- lifecycle ------------------------------------------------------------------------

    def _bind(self) -> socket.socket:
        # proto IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted sockets only then;
        # without it every keep-alive response waits ~40 ms for a delayed ACK.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, self._requested_port))
        except OSError:
            sock.close()
            raise
        sock.listen(1024)
        sock.set_inheritable(True)
        return sock

    def _make_server(self, on_started: Callable[[], None]) -> _Server:
        # access_log off: uvicorn's access log prints the URL with the query string, which
        # carries Alibaba passwords. log_config None: leave the host's logging alone.
        config = uvicorn.Config(self.app, log_config=None, access_log=False, lifespan="off",
                                http="h11", timeout_graceful_shutdown=2, server_header=False)
        return _Server(config, on_started)

    def start(self) -> "LocalCloud":
        if self._sock is not None:
            raise RuntimeError("LocalCloud already started")
        try:
            self._sock = sock = self._bind()
        except OSError:
            self.store.close()
            raise
        ready = threading.Event()
        self._server = server = self._make_server(ready.set)

        def run() -> None:
            try:
                asyncio.run(server.serve(sockets=[sock]))
            except BaseException as exc:  # noqa: BLE001 - surfaced by start()
                self._error = exc
            finally:
                ready.set()

        self._thread = threading.Thread(target=run, name=f"localcloud:{self.port}", daemon=True)
        self._thread.start()
        ready.wait()
        if self._error is not None or not self._server.started:
            self.stop()
            raise RuntimeError(f"local cloud failed to start: {self._error!r}")
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.exit_soon()
        if self._thread is not None:
            self._thread.join()
        if self._sock is not None:
            self._sock.close()
        self._server = self._thread = None
        self.app.nonces.close()
        self.store.close()

    def serve_forever(self, on_ready: Callable[["LocalCloud"], None] | None = None) -> None:
        """Run in this thread until SIGINT/SIGTERM (uvicorn handles the signals)."""
        self._sock = self._bind()
        server = self._make_server(lambda: on_ready and on_ready(self))
        try:
            server.run(sockets=[self._sock])
        finally:
            self._sock.close()
            self.app.nonces.close()
            self.store.close()

    def __enter__(self) -> "LocalCloud":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def serve(*, on_ready: Callable[[LocalCloud], None] | None = None, **kwargs: Any) -> None:
    """Run a LocalCloud (same kwargs) in this thread until SIGINT/SIGTERM."""
    LocalCloud(**kwargs).serve_forever(on_ready)
