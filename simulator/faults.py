"""Injected failures and the call-frequency limit."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from .state import now_ms

ANY_PATH = "*"


@dataclass(frozen=True, slots=True)
class Fault:
    """What to do to one request instead of (or before) answering it."""

    errcode: int | None = None
    http_status: int | None = None
    malformed: bool = False
    delay: float | None = None
    disconnect: bool = False  # close the connection without an answer
    after_commit: bool = False  # carry the request out, then fail its answer


class FaultQueue:
    """Faults waiting for the next requests of a path ("*" matches any API path)."""

    def __init__(self) -> None:
        self._pending: dict[str, deque[Fault]] = {}

    def add(self, path: str, fault: Fault, count: int) -> None:
        self._pending.setdefault(path, deque()).extend([fault] * count)

    def take(self, path: str) -> Fault | None:
        for key in (path, ANY_PATH):
            queue = self._pending.get(key)
            if queue:
                return queue.popleft()
        return None

    def clear(self) -> None:
        self._pending.clear()


class RateLimiter:
    """At most ``per_minute`` calls in any sliding minute (None: unlimited)."""

    def __init__(self) -> None:
        self.per_minute: int | None = None
        self._calls: deque[int] = deque()

    def allow(self) -> bool:
        if self.per_minute is None:
            return True
        now = now_ms()
        while self._calls and now - self._calls[0] >= 60_000:
            self._calls.popleft()
        if len(self._calls) >= self.per_minute:
            return False
        self._calls.append(now)
        return True
