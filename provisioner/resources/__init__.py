"""Pulumi dynamic resources, one module per account type, over one shared provider (base.py)."""

from provisioner.resources import watchdog as _watchdog

# The dynamic-provider process imports this package when it deserializes our provider for the
# engine's first request: watch the engine from then on, before any cloud call (a no-op in
# every other process).
_watchdog.start()
