"""What is true of every product: the shared provider, diff, retry, codes, settings, clients.

The engine watchdog normally starts at the dynamic-provider process's interpreter start (the .pth
our install adds: provisioner/_provider_boot.py). Starting it again here, when the provider process
deserializes one of our providers, is the fallback for an install without the .pth (idempotent; a
no-op in every other process).
"""

from provisioner.core import watchdog as _watchdog

_watchdog.start()
