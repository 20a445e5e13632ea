"""What is true of every product: the shared provider, diff, retry, codes, settings, clients.

The dynamic-provider process imports this package when it deserializes one of our providers for
the engine's first request: the engine watchdog starts here, before any cloud call (a no-op in
every other process).
"""

from provisioner.core import watchdog as _watchdog

_watchdog.start()
