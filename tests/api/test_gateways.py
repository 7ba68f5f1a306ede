"""Gateways: list (paged), detail, and the links between gateways and locks."""

from __future__ import annotations

from custom_components.ttlock_access.api import Lock, TTLockClient
from custom_components.ttlock_access.api.const import PAGE_SIZE_GATEWAYS
from simulator.cloud import FakeTTLockCloud
from simulator.state import FakeAccount


async def test_list_gateways(client: TTLockClient, cloud: FakeTTLockCloud) -> None:
    (gateway,) = await client.list_gateways()
    assert gateway.name == "Hallway gateway"
    assert gateway.online
    assert gateway.lock_count == 2
    # The official page marks orderBy required: newest first.
    assert cloud.last_params["/v3/gateway/list"]["orderBy"] == "1"


async def test_list_gateways_fetches_every_page(
    client: TTLockClient, cloud: FakeTTLockCloud, demo_account: FakeAccount
) -> None:
    for number in range(2 * PAGE_SIZE_GATEWAYS):
        cloud.add_gateway(demo_account, name=f"Gateway {number}", online=number % 2 == 0)
    cloud.reset_requests()
    gateways = await client.list_gateways()
    assert len(gateways) == 2 * PAGE_SIZE_GATEWAYS + 1
    assert cloud.requests["/v3/gateway/list"] == 3


async def test_links(client: TTLockClient, demo_locks: dict[str, Lock]) -> None:
    (gateway,) = await client.list_gateways()
    links = await client.list_gateway_locks(gateway.gateway_id)
    assert {link.lock_id for link in links} == {
        demo_locks["Front door"].lock_id,
        demo_locks["Back door"].lock_id,
    }
    assert all(link.gateway_id == gateway.gateway_id and link.rssi for link in links)
