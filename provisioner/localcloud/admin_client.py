"""Client of the local cloud's admin interface. Standard library only, so the CLI and test
helpers stay light. Every method returns the decoded JSON answer; HTTP errors raise
`AdminRequestError` with the status and the server's message."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

# The admin interface is local: never go through a proxy from the environment.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class AdminRequestError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message


class AdminClient:
    """token: the server's admin token, if it has one (default: $PROVISIONER_LOCALCLOUD_ADMIN_TOKEN)."""

    def __init__(self, url: str, timeout: float = 30.0, token: str | None = None):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.token = token if token is not None else os.environ.get("PROVISIONER_LOCALCLOUD_ADMIN_TOKEN") or None

    def call(self, method: str, path: str, body: Any = None, query: dict[str, Any] | None = None) -> Any:
        url = f"{self.url}/_localcloud/{path.lstrip('/')}"
        if query:
            url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        data = None if body is None else json.dumps(body).encode()
        # Every write says JSON, body or not: the server refuses anything else (no form posts).
        headers = {"content-type": "application/json"} if data is not None or method != "GET" else {}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with _opener.open(req, timeout=self.timeout) as resp:
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as err:
            raw = err.read()
            try:
                message = json.loads(raw).get("error", raw.decode())
            except (ValueError, AttributeError):
                message = raw.decode("utf-8", "replace")
            raise AdminRequestError(err.code, message) from None

    # --- world ------------------------------------------------------------------------------

    def health(self) -> dict:
        return self.call("GET", "health")

    def state(self, product: str | None = None) -> dict:
        return self.call("GET", "state", query={"product": product})

    def instance(self, product: str, instance_id: str) -> dict:
        return self.call("GET", f"instances/{product}/{instance_id}")

    def set_instance(self, product: str, instance_id: str, **changes: Any) -> dict:
        """changes: status, lock_mode, account_quota, databases, attrs (merged), name."""
        return self.call("POST", f"instances/{product}/{instance_id}", changes)

    def put_instance(self, **instance: Any) -> dict:
        return self.call("POST", "instances", instance)

    def accounts(self, product: str | None = None, instance_id: str | None = None) -> list[dict]:
        return self.call("GET", "accounts", query={"product": product, "instance_id": instance_id})

    def add_account(self, product: str, instance_id: str, name: str, password: str, *,
                    host: str | None = None, **fields: Any) -> dict:
        """fields: type/account_type, description, privileges, max_user_connections, ..."""
        return self.call("POST", "accounts", {"product": product, "instance_id": instance_id, "name": name,
                                              "host": host, "password": password, **fields})

    def modify_account(self, product: str, instance_id: str, name: str, *, host: str | None = None,
                       **changes: Any) -> dict:
        return self.call("PATCH", "accounts", {"product": product, "instance_id": instance_id,
                                               "name": name, "host": host, **changes})

    def delete_account(self, product: str, instance_id: str, name: str, *, host: str | None = None) -> dict:
        return self.call("DELETE", "accounts", {"product": product, "instance_id": instance_id,
                                                "name": name, "host": host})

    def verify_password(self, product: str, instance_id: str, name: str, password: str, *,
                        host: str | None = None) -> bool:
        return self.call("POST", "accounts/verify-password", {
            "product": product, "instance_id": instance_id, "name": name, "host": host,
            "password": password})["match"]

    def reset(self, *, reload_seed: bool = False, restore_faults: bool = False) -> dict:
        return self.call("POST", "reset", {"reload_seed": reload_seed, "restore_faults": restore_faults})

    # --- faults and counters --------------------------------------------------------------

    def faults(self) -> dict:
        return self.call("GET", "faults")

    def set_faults(self, config: dict) -> dict:
        """Replace the plan; omitted keys take the defaults (rate limits on)."""
        return self.call("PUT", "faults", config)

    def update_faults(self, patch: dict) -> dict:
        """Replace only the top-level keys given."""
        return self.call("PATCH", "faults", patch)

    def restore_faults(self) -> dict:
        """Back to the plan the server was started with."""
        return self.call("POST", "faults/restore")

    def script(self, *entries: dict) -> dict:
        """One-shot faults, e.g. script({"match": "rds:CreateAccount", "count": 2, "fault": "drop_after"})."""
        return self.call("POST", "faults/script", list(entries))

    def behaviour(self) -> dict:
        return self.call("GET", "/behaviour")

    def set_behaviour(self, **settings: Any) -> dict:
        """Change knobs (profile, scale, account_settle, ...); the rest stay."""
        return self.call("PATCH", "/behaviour", settings)

    def busy(self, product: str, instance_id: str, seconds: float, code: str | None = None,
             reads: bool = False) -> dict:
        """The instance refuses writes (and reads, if asked) with a busy code for `seconds`."""
        return self.call("POST", "/behaviour/busy", {"product": product, "instance_id": instance_id,
                                                      "seconds": seconds, "code": code, "reads": reads})

    def counters(self) -> dict:
        return self.call("GET", "counters")

    def reset_counters(self) -> dict:
        return self.call("POST", "counters/reset")
