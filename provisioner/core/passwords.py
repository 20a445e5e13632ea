"""Generated passwords: `secrets`-random and valid under every cloud's rules at once."""

from __future__ import annotations

import secrets
import string

# Specials accepted by LibraDB, RDS and PolarDB alike (the intersection of their sets).
_SPECIALS = "!@#%^*_+-="
_CLASSES = (string.ascii_uppercase, string.ascii_lowercase, string.digits, _SPECIALS)
LENGTH = 24   # within RDS/PolarDB's 8-32 and LibraDB's 8-64


def generate_password(length: int = LENGTH) -> str:
    chars = [secrets.choice(cls) for cls in _CLASSES]          # every class at least once
    alphabet = "".join(_CLASSES)
    chars += [secrets.choice(alphabet) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)
