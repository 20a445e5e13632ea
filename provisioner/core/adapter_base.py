"""Plumbing shared by the three adapters: the retry engine, the account-list cache, reads, and
the wait for an account change to settle (the real services apply account writes later)."""

from __future__ import annotations

import logging
import random
from typing import Any, Callable, TypeVar

from provisioner.core import errors
from provisioner.core.adapter import CloudApiError, InstanceInfo, LiveAccount, Settings
from provisioner.core.cache import CACHE, SingleFlightCache
from provisioner.core.retry.caller import Caller
from provisioner.core.retry.deadlines import current_deadline
from provisioner.core.retry.policy import RetryPolicy
from provisioner.core.retry.waiting import wait_log

AccountMap = dict[tuple[str, str], LiveAccount]
T = TypeVar("T")
log = logging.getLogger("provisioner.cloud")


class AdapterBase:
    product = ""

    def __init__(self, client: Any, settings: Settings, policy: RetryPolicy, *,
                 caller: Caller | None = None, cache: SingleFlightCache | None = None):
        self.client, self.settings, self.policy = client, settings, policy
        self.caller = caller or Caller(self.product, policy)
        self.cache = cache or CACHE

    # --- wire ---------------------------------------------------------------------------------

    def _wire(self, action: str, params: dict[str, Any]) -> Callable[[], dict[str, Any]]:
        """A function doing one SDK call and returning the response fields as a dict."""
        raise NotImplementedError

    def _call(self, action: str, params: dict[str, Any], *, secrets: tuple[str, ...] = (),
              wait_for: str | None = None, stop: Callable[[CloudApiError], bool] | None = None) -> dict[str, Any]:
        """One cloud call under the retry policy; wait_for=<instance id> waits out a
        not-running/locked instance instead of failing; stop: see Caller.call."""
        describe = (lambda: self.describe_instance(wait_for, fresh=True)) if wait_for else None
        return self.caller.call(action, self._wire(action, params), secrets=secrets, describe=describe, stop=stop)

    # --- instance -------------------------------------------------------------------------------

    def describe_instance(self, instance_id: str, *, fresh: bool = False) -> InstanceInfo:
        return self.cache.get(self._key(instance_id, "instance"), lambda: self._describe(instance_id),
                              self.policy.list_ttl, fresh=fresh)

    def _describe(self, instance_id: str) -> InstanceInfo:
        raise NotImplementedError

    # --- accounts (cached reads) ---------------------------------------------------------------

    def _key(self, instance_id: str, *more: str) -> tuple:
        # Settings is only ever held in this process's memory: nothing here is pickled.
        return (self.settings, self.product, instance_id, *more)

    def _fetch_accounts(self, instance_id: str) -> AccountMap:
        raise NotImplementedError

    def _accounts(self, instance_id: str, *, fresh: bool = False) -> AccountMap:
        return self.cache.get(self._key(instance_id), lambda: self._fetch_accounts(instance_id),
                              self.policy.list_ttl, fresh=fresh)

    def accounts(self, instance_id: str) -> AccountMap:
        """The instance's accounts as one (cached) list call reports them: name, host, type,
        status, description; privileges only where the list carries them (not LibraDB)."""
        return self._accounts(instance_id)

    def get_account(self, instance_id: str, name: str, host: str = "", *, fresh: bool = False,
                    privileges: bool = True) -> LiveAccount | None:
        return self._accounts(instance_id, fresh=fresh).get((name, self._host(host)))

    def _host(self, host: str) -> str:
        return host

    # --- databases (cached, for checks before the first write) ---------------------------------

    def list_databases(self, instance_id: str) -> frozenset[str] | None:
        """The instance's database names, or None when the API cannot list them (LibraDB)."""
        return self.cache.get(self._key(instance_id, "databases"), lambda: self._fetch_databases(instance_id),
                              self.policy.list_ttl)

    def _fetch_databases(self, instance_id: str) -> frozenset[str] | None:
        return None

    # --- waiting for a change to settle -----------------------------------------------------------

    def _settle(self, what: str, probe: Callable[[], T], done: Callable[[T], bool]) -> T:
        """Call `probe` until `done(result)`: first after settle_base, then 1.5x longer each time
        (jittered, at most wait_max), within wait_timeout and the caller's deadline. Each wait is
        logged at DEBUG and counted as "<product>:wait_ms"; at the end a busy error says what
        never settled."""
        p, clock = self.policy, self.caller.clock
        start = clock.monotonic()
        until = start + p.wait_timeout
        deadline = current_deadline()
        if deadline is not None:
            until = min(until, deadline)
        delay, polls = p.settle_base, 0
        while True:
            value = probe()
            if done(value):
                if polls:
                    log.debug("%s %s: settled after %.2fs (%d polls)", self.product, what,
                              clock.monotonic() - start, polls)
                return value
            remaining = until - clock.monotonic()
            if remaining <= 0:
                err = CloudApiError("wait", "NotSettled", f"{what} did not settle within {p.wait_timeout:.0f}s "
                                    f"(or the caller's timeout); the cloud is still applying an earlier change. "
                                    f"Re-run later or raise provisioner:waitTimeoutSeconds", None)
                err.kind = errors.BUSY
                raise err
            pause = min(delay * (0.5 + 0.5 * random.random()), remaining)
            wait_log.debug("%s %s: not settled yet, next look in %.2fs (waited %.2fs) pause_s=%.3f", self.product,
                           what, pause, clock.monotonic() - start, pause)
            self.caller.counters.add(f"{self.product}:wait_ms", int(pause * 1000))
            clock.sleep(pause)
            delay, polls = min(delay * 1.5, p.wait_max), polls + 1

    # --- cache maintenance after writes ---------------------------------------------------------

    def _forget(self, instance_id: str) -> None:
        self.cache.drop(self._key(instance_id))

    def _patch(self, instance_id: str, name: str, host: str, **changes: Any) -> None:
        def apply(accounts: AccountMap) -> None:
            acct = accounts.get((name, host))
            if acct is not None:
                for field, value in changes.items():
                    setattr(acct, field, value)
        self.cache.patch(self._key(instance_id), apply)

    def _put(self, instance_id: str, live: LiveAccount) -> None:
        """A settled account read fresh replaces the cached one."""
        def apply(accounts: AccountMap) -> None:
            accounts[(live.name, live.host)] = live
        self.cache.patch(self._key(instance_id), apply)

    def _remove(self, instance_id: str, name: str, host: str) -> None:
        def apply(accounts: AccountMap) -> None:
            accounts.pop((name, host), None)
        self.cache.patch(self._key(instance_id), apply)

    # --- lost responses ---------------------------------------------------------------------------

    def _ours_after_retry(self, err: CloudApiError, instance_id: str, name: str, host: str,
                          same: Callable[[LiveAccount], bool]) -> bool:
        """A create answered "exists" after an earlier attempt failed in transit: the first
        attempt probably went through. It is ours if the live account is what we asked for."""
        if err.kind != errors.EXISTS or not err.after_transient:
            return False
        self._forget(instance_id)   # a list read before our create must not answer this
        live = self._accounts(instance_id, fresh=True).get((name, host))
        return live is not None and same(live)

    def delete_account(self, instance_id: str, name: str, host: str) -> bool:
        """Each product's own (AccountAdapter.delete_account); _with_rollback undoes a create with it."""
        raise NotImplementedError

    def _with_rollback(self, instance_id: str, name: str, host: str, step: Callable[[], None]) -> None:
        """Run the step that completes a create (privileges); if it fails, delete the new account
        so the failed create leaves nothing behind and a re-run does not hit "exists"."""
        try:
            step()
        except CloudApiError as err:
            try:
                self.delete_account(instance_id, name, host)
            except CloudApiError as cleanup:
                log.warning("could not roll back account %s after a failed create: %s", name, cleanup)
            raise err
