"""The policy pack's executable: `pulumi preview --policy-pack <path to provisioner-policy-pack>`.

The engine (3.259) starts an executable policy pack directly, as `<exe> <engine address>`, and
reads the analyzer's port from its stdout — so stdout must not be buffered. The directory form
(policy/pack/, `runtime: python`) runs this too, through the language host's RunPlugin.
"""

from __future__ import annotations

import io
import sys


def main() -> int:
    # pulumi-policy writes the port to sys.stdout.buffer and then serves forever: unbuffered.
    sys.stdout = io.TextIOWrapper(io.FileIO(sys.stdout.fileno(), "w", closefd=False), write_through=True)
    from provisioner.policy.pack import serve
    serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
