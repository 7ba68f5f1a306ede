"""/v3/electricMeter/* and /v3/waterMeter/*: list, syncState, controlOnOff."""

from __future__ import annotations

from collections.abc import Callable

from ..errors import SUCCESS, CloudError
from ..protocol import MAX_PAGE_METERS
from ..state import FakeElectricMeter, FakeMeter, FakeWaterMeter
from .params import JSON, Call, Handler

type Meters = Callable[[Call], dict[int, FakeElectricMeter] | dict[int, FakeWaterMeter]]


def _figure(value: float) -> str:
    return f"{value:.2f}"  # the cloud sends meter figures as strings


def _meter_item(meter: FakeMeter, unit: str) -> JSON:
    """Return the fields both meter lists share; ``unit`` names the figures (Kwh or M3)."""
    return {
        "name": meter.name,
        "number": meter.number,
        "online": 1 if meter.online else 0,
        "rssi": meter.rssi,
        "onOff": 1 if meter.on else 0,
        "payMode": 1 if meter.prepaid else 0,
        f"total{unit}": _figure(meter.total),
        f"remainder{unit}": _figure(meter.remainder),
        "price": _figure(meter.price),
    }


def _electric_item(meter: FakeMeter) -> JSON:
    return {"electricMeterId": meter.meter_id} | _meter_item(meter, "Kwh")


def _water_item(meter: FakeMeter) -> JSON:
    return (
        {"waterMeterId": meter.meter_id}
        | _meter_item(meter, "M3")
        | {"electricQuantity": meter.battery}
    )


def _lister(meters: Meters, render: Callable[[FakeMeter], JSON]) -> Handler:
    async def handler(call: Call) -> JSON:
        # The docs show meter lists as {total, list} only, without the paging fields.
        mine = [m for m in meters(call).values() if m.owner is call.account]
        page_no = call.params.int_or("pageNo", 1)
        size = min(call.params.int_or("pageSize", 20), MAX_PAGE_METERS)
        if page_no < 1 or size < 1:
            raise CloudError(-3)
        page = mine[(page_no - 1) * size : page_no * size]
        return {"total": len(mine), "list": [render(m) for m in page]}

    return handler


def _meter(call: Call, meters: Meters, id_name: str) -> FakeMeter:
    meter = meters(call).get(call.params.require_int(id_name))
    if meter is None or meter.owner is not call.account:
        raise CloudError(-3)
    return meter


def _sync(meters: Meters, id_name: str) -> Handler:
    async def handler(call: Call) -> JSON:
        """Read the meter through its gateway; usage since the last reading accrues."""
        meter = _meter(call, meters, id_name)
        async with call.cloud.relay_meter(meter):
            used = meter.usage_per_hour * (call.now - meter.synced_ms) / 3_600_000
            if meter.on and used > 0:
                meter.total += used
                if meter.prepaid:
                    meter.remainder = max(0.0, meter.remainder - used)
                    meter.on = meter.remainder > 0
            meter.synced_ms = call.now
        return SUCCESS

    return handler


def _control(meters: Meters, id_name: str) -> Handler:
    async def handler(call: Call) -> JSON:
        meter = _meter(call, meters, id_name)
        on_off = call.params.require_int("onOff")
        if on_off not in (0, 1):
            raise CloudError(-3)
        async with call.cloud.relay_meter(meter):
            meter.on = on_off == 1
        return SUCCESS

    return handler


def _electric(call: Call) -> dict[int, FakeElectricMeter]:
    return call.cloud.electric_meters


def _water(call: Call) -> dict[int, FakeWaterMeter]:
    return call.cloud.water_meters


ROUTES: dict[str, Handler] = {
    "/v3/electricMeter/list": _lister(_electric, _electric_item),
    "/v3/electricMeter/syncState": _sync(_electric, "electricMeterId"),
    "/v3/electricMeter/controlOnOff": _control(_electric, "electricMeterId"),
    "/v3/waterMeter/list": _lister(_water, _water_item),
    "/v3/waterMeter/syncState": _sync(_water, "waterMeterId"),
    "/v3/waterMeter/controlOnOff": _control(_water, "waterMeterId"),
}
