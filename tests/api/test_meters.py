"""Electricity and water meters: list and switch."""

from __future__ import annotations

from custom_components.ttlock_access.api import MeterSupply, TTLockClient
from simulator.cloud import FakeTTLockCloud
from simulator.state import FakeAccount


async def test_electric_meter(client: TTLockClient) -> None:
    (meter,) = await client.list_electric_meters()
    assert meter.name == "Flat 1 electricity"
    assert meter.total_kwh is not None
    assert meter.total_kwh >= 1234.5
    assert meter.supply is MeterSupply.ON
    await client.set_electric_meter_supply(meter.meter_id, False)
    (meter,) = await client.list_electric_meters()
    assert meter.supply is MeterSupply.OFF
    await client.set_electric_meter_supply(meter.meter_id, True)
    assert (await client.list_electric_meters())[0].supply is MeterSupply.ON


async def test_water_meter(client: TTLockClient) -> None:
    (meter,) = await client.list_water_meters()
    assert meter.name == "Flat 1 water"
    assert meter.total_m3 is not None
    assert meter.battery == 80
    await client.set_water_meter_valve(meter.meter_id, False)
    assert (await client.list_water_meters())[0].valve is MeterSupply.OFF
    await client.set_water_meter_valve(meter.meter_id, True)
    assert (await client.list_water_meters())[0].valve is MeterSupply.ON


async def test_meter_list_without_pages_field(
    client: TTLockClient, cloud: FakeTTLockCloud, demo_account: FakeAccount
) -> None:
    # Meter lists answer {total, list} only: paging stops on the total.
    for number in range(1500):
        cloud.add_electric_meter(demo_account, name=f"Meter {number}")
    cloud.reset_requests()
    assert len(await client.list_electric_meters()) == 1501
    assert cloud.requests["/v3/electricMeter/list"] == 2
