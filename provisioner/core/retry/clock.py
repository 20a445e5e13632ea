"""Time as the retry engine sees it: real time, or a test's fake with the same two methods."""

from __future__ import annotations

import time


class Clock:
    """Real time; tests inject a fake with the same two methods."""
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


CLOCK = Clock()
