"""Finish a fresh demo Home Assistant through its own HTTP API, as a person would in the UI.

Creates the demo owner (onboarding), then adds TTLock Access through the real config flow,
pointed at the simulator. Idempotent: an instance already set up is left as it is.

python scripts/dev/demo_setup.py HA_URL SIMULATOR_URL USER PASSWORD [--onboard-only]

--onboard-only: create the owner but leave adding the integration to someone else (the
browser test does it through the UI).
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
import sys
import time
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the checkout, for simulator/
from simulator.demo import (
    CLIENT_ID as SIM_ID,
    CLIENT_SECRET,
    DEMO_PASSWORD,
    DEMO_USERNAME,
)

# Any URL works as the OAuth client id of a first-party login (IndieAuth).
CLIENT_ID = "http://127.0.0.1:8123/"


async def wait_until_up(session: aiohttp.ClientSession, ha_url: str) -> None:
    """Wait for Home Assistant's HTTP server (cold start takes a while)."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            async with session.get(f"{ha_url}/api/onboarding") as resp:
                if resp.status in (200, 401, 404):
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(1)
    raise SystemExit("Home Assistant did not start within 5 minutes")


async def login(session: aiohttp.ClientSession, ha_url: str, user: str, password: str) -> str:
    """Create the owner if onboarding is pending, else log in; return an access token."""
    async with session.get(f"{ha_url}/api/onboarding") as resp:
        steps = await resp.json() if resp.status == 200 else []
    if any(step["step"] == "user" and not step["done"] for step in steps):
        payload = {
            "name": "Demo",
            "username": user,
            "password": password,
            "client_id": CLIENT_ID,
            "language": "en",
        }
        async with session.post(f"{ha_url}/api/onboarding/users", json=payload) as resp:
            resp.raise_for_status()
            code = (await resp.json())["auth_code"]
    else:
        code = await _login_flow(session, ha_url, user, password)
    form = {"grant_type": "authorization_code", "code": code, "client_id": CLIENT_ID}
    async with session.post(f"{ha_url}/auth/token", data=form) as resp:
        resp.raise_for_status()
        return str((await resp.json())["access_token"])


async def _login_flow(session: aiohttp.ClientSession, ha_url: str, user: str, pw: str) -> str:
    start = {"client_id": CLIENT_ID, "handler": ["homeassistant", None], "redirect_uri": CLIENT_ID}
    async with session.post(f"{ha_url}/auth/login_flow", json=start) as resp:
        flow = await resp.json()
    step = {"client_id": CLIENT_ID, "username": user, "password": pw}
    async with session.post(f"{ha_url}/auth/login_flow/{flow['flow_id']}", json=step) as resp:
        result = await resp.json()
    if result.get("type") != "create_entry":
        raise SystemExit(f"could not log in as {user}: {result}")
    return str(result["result"])


async def run_flow(
    session: aiohttp.ClientSession,
    url: str,
    headers: dict[str, str],
    handler: str | list[str],
    user_input: dict[str, Any],
) -> dict[str, Any]:
    """Start a (sub)entry flow at ``url`` and answer its first form; return the result."""
    body = {"handler": handler, "show_advanced_options": True}
    async with session.post(url, json=body, headers=headers) as resp:
        flow = await resp.json()
    async with session.post(f"{url}/{flow['flow_id']}", json=user_input, headers=headers) as resp:
        result: dict[str, Any] = await resp.json()
    if result.get("type") != "create_entry":
        raise SystemExit(f"the {handler} flow did not create an entry: {result}")
    return result


async def entries(session: aiohttp.ClientSession, ha_url: str, headers: dict[str, str]) -> Any:
    """Return the config entries, as the UI lists them."""
    async with session.get(f"{ha_url}/api/config/config_entries/entry", headers=headers) as resp:
        return await resp.json()


async def confirm_http_config(session: aiohttp.ClientSession, ha_url: str, token: str) -> None:
    """Confirm the demo's HTTP settings (127.0.0.1), else HA reverts them after 5 min."""
    async with session.ws_connect(f"{ha_url}/api/websocket") as ws:
        await ws.receive_json()  # auth_required
        await ws.send_json({"type": "auth", "access_token": token})
        await ws.receive_json()  # auth_ok
        await ws.send_json({"id": 1, "type": "http/config/promote"})
        await ws.receive_json()  # an error just means nothing was pending


async def add_demo_calendar(
    session: aiohttp.ClientSession, ha_url: str, sim_url: str, headers: dict[str, str]
) -> None:
    """Add a local calendar with three stays, bound to the front door for guest codes."""
    if any(
        entry["domain"] == "local_calendar" for entry in await entries(session, ha_url, headers)
    ):
        return
    flows = f"{ha_url}/api/config/config_entries/flow"
    await run_flow(session, flows, headers, "local_calendar", {"calendar_name": "Holiday flat"})
    today = datetime.now().replace(hour=0, minute=0, second=0, microsecond=0)
    for days, nights, guest in ((2, 3, "Smith family"), (9, 4, "Jansen"), (20, 7, "Rossi")):
        stay = {
            "entity_id": "calendar.holiday_flat",
            "summary": guest,
            "description": "Phone: +31 6 1234 5678" if guest == "Jansen" else "",
            "start_date_time": (today + timedelta(days=days, hours=15)).isoformat(),
            "end_date_time": (today + timedelta(days=days + nights, hours=11)).isoformat(),
        }
        async with session.post(
            f"{ha_url}/api/services/calendar/create_event", json=stay, headers=headers
        ) as resp:
            resp.raise_for_status()
    async with session.get(f"{sim_url}/_sim/locks") as resp:
        front = next(lock for lock in await resp.json() if lock["name"] == "Front door")
    ttlock = next(
        entry
        for entry in await entries(session, ha_url, headers)
        if entry["domain"] == "ttlock_access"
    )
    await run_flow(
        session,
        f"{ha_url}/api/config/config_entries/subentries/flow",
        headers,
        [ttlock["entry_id"], "guest_binding"],
        {
            "name": "Holiday flat",
            "calendars": ["calendar.holiday_flat"],
            "locks": [str(front["lock_id"])],
            "days_before": 5,
            "margin": 30,
            "code_source": "phone",
            "code_length": 6,
        },
    )


async def main(
    ha_url: str, simulator_url: str, user: str, password: str, *, onboard_only: bool = False
) -> None:
    """Onboard, add the integration and a calendar of stays bound to the front door."""
    async with aiohttp.ClientSession() as session:
        await wait_until_up(session, ha_url)
        token = await login(session, ha_url, user, password)
        await confirm_http_config(session, ha_url, token)
        if onboard_only:
            return
        headers = {"Authorization": f"Bearer {token}"}
        if not any(
            entry["domain"] == "ttlock_access" for entry in await entries(session, ha_url, headers)
        ):
            await run_flow(
                session,
                f"{ha_url}/api/config/config_entries/flow",
                headers,
                "ttlock_access",
                {
                    "server": "eu",
                    "advanced": {"base_url": simulator_url},
                    "client_id": SIM_ID,
                    "client_secret": CLIENT_SECRET,
                    "username": DEMO_USERNAME,
                    "password": DEMO_PASSWORD,
                },
            )
        await add_demo_calendar(session, ha_url, simulator_url, headers)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5], onboard_only="--onboard-only" in sys.argv[5:]))
