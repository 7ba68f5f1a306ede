"""POSTing what the TTLock cloud sends about a fake lock's newest record."""

from __future__ import annotations

from typing import Any

from simulator.callbacks import newest_record_callback
from simulator.state import FakeLock

__all__ = ["newest_record_callback", "push_newest_record"]


async def push_newest_record(client: Any, webhook_id: str, lock: FakeLock) -> None:
    """POST that callback to Home Assistant's webhook, as the cloud does."""
    response = await client.post(f"/api/webhook/{webhook_id}", data=newest_record_callback(lock))
    assert await response.text() == "success"
