"""Request parameters, the call context and the paged list envelope."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
import math
from typing import TYPE_CHECKING, Any

from ..errors import CloudError
from ..state import FakeAccount, FakeLock

if TYPE_CHECKING:
    from ..cloud import FakeTTLockCloud

type JSON = dict[str, Any]


class Params:
    """Query and form parameters merged; a missing or malformed required one is -3."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = values

    def as_dict(self) -> dict[str, str]:
        """Every parameter as sent."""
        return dict(self._values)

    def get(self, name: str) -> str | None:
        value = self._values.get(name)
        return None if value in (None, "") else value

    def require(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise CloudError(-3)
        return value

    def integer(self, name: str) -> int | None:
        value = self.get(name)
        if value is None:
            return None
        try:
            return int(value)
        except ValueError:
            raise CloudError(-3) from None

    def int_or(self, name: str, default: int) -> int:
        value = self.integer(name)
        return default if value is None else value

    def require_int(self, name: str) -> int:
        value = self.integer(name)
        if value is None:
            raise CloudError(-3)
        return value


@dataclass(frozen=True, slots=True)
class Call:
    """One authenticated API call."""

    cloud: FakeTTLockCloud
    account: FakeAccount
    params: Params
    now: int  # epoch ms, read once per request

    def lock(self) -> FakeLock:
        """Look up the lock named by the ``lockId`` parameter."""
        return self.cloud.lock_of(self.account, self.params.require_int("lockId"))


def paged[T](
    params: Params, items: Sequence[T], max_size: int, render: Callable[[T], JSON]
) -> JSON:
    """Build the list envelope; a page size above the endpoint's maximum is capped to it."""
    page_no = params.int_or("pageNo", 1)
    page_size = params.int_or("pageSize", 20)
    if page_no < 1 or page_size < 1:
        raise CloudError(-3)
    page_size = min(page_size, max_size)
    start = (page_no - 1) * page_size
    return {
        "list": [render(item) for item in items[start : start + page_size]],
        "pageNo": page_no,
        "pageSize": page_size,
        "pages": math.ceil(len(items) / page_size),
        "total": len(items),
    }


type Handler = Callable[[Call], Awaitable[JSON]]
