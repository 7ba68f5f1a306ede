"""Finish a fresh demo Home Assistant through its own HTTP API, as a person would in the UI.

Creates the demo owner (onboarding), then adds TTLock Access through the real config flow,
pointed at the simulator. Idempotent: an instance already set up is left as it is.

python scripts/dev/demo_setup.py HA_URL SIMULATOR_URL USER PASSWORD [--onboard-only]

--onboard-only: create the owner but leave adding the integration to someone else (the
browser test does it through the UI).
"""

from __future__ import annotations

import asyncio
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


async def add_integration(
    session: aiohttp.ClientSession, ha_url: str, token: str, user_input: dict[str, Any]
) -> None:
    """Run the TTLock Access config flow unless an entry exists."""
    headers = {"Authorization": f"Bearer {token}"}
    async with session.get(f"{ha_url}/api/config/config_entries/entry", headers=headers) as resp:
        entries = await resp.json()
    if any(entry["domain"] == "ttlock_access" for entry in entries):
        return
    body = {"handler": "ttlock_access", "show_advanced_options": True}
    async with session.post(
        f"{ha_url}/api/config/config_entries/flow", json=body, headers=headers
    ) as resp:
        flow = await resp.json()
    async with session.post(
        f"{ha_url}/api/config/config_entries/flow/{flow['flow_id']}",
        json=user_input,
        headers=headers,
    ) as resp:
        result = await resp.json()
    if result.get("type") != "create_entry":
        raise SystemExit(f"the config flow did not create an entry: {result}")


async def main(
    ha_url: str, simulator_url: str, user: str, password: str, *, onboard_only: bool = False
) -> None:
    """Onboard and add the integration."""
    async with aiohttp.ClientSession() as session:
        await wait_until_up(session, ha_url)
        token = await login(session, ha_url, user, password)
        if onboard_only:
            return
        await add_integration(
            session,
            ha_url,
            token,
            {
                "server": "eu",
                "advanced": {"base_url": simulator_url},
                "client_id": SIM_ID,
                "client_secret": CLIENT_SECRET,
                "username": DEMO_USERNAME,
                "password": DEMO_PASSWORD,
            },
        )


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5], onboard_only="--onboard-only" in sys.argv[5:]))
