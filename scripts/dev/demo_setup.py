"""Finish a fresh demo Home Assistant through its own HTTP API, as a person would in the UI.

Creates the demo owner (onboarding), ignores the one repair a Home Assistant Core install
always raises (see ``ignore_installation_method_repair``), then adds TTLock Access through
the real config flow, pointed at the simulator. Idempotent: an instance already set up is
left as it is.

python scripts/dev/demo_setup.py HA_URL SIMULATOR_URL USER PASSWORD [--onboard-only]
python scripts/dev/demo_setup.py --seed-http CONFIG_DIR PORT

--onboard-only: create the owner but leave adding the integration to someone else (the
browser test does it through the UI).
--seed-http: before the first start, write Home Assistant's HTTP settings (127.0.0.1:PORT)
where it keeps them (see ``seed_http_config``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
import itertools
import json
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
# The repair Home Assistant raises after every start of a Core (virtualenv) installation.
INSTALLATION_METHOD_ISSUE = ("homeassistant", "deprecated_method")

type Call = Callable[..., Awaitable[Any]]


def seed_http_config(config_dir: Path, port: int) -> None:
    """Write the demo's HTTP settings (127.0.0.1:``port``) before Home Assistant first starts.

    Home Assistant 2026.10 keeps the http integration's settings in .storage/http, edited
    under Settings > System > Network; an ``http:`` block in configuration.yaml is imported
    once and raises the repair "The HTTP YAML configuration is deprecated". This writes the
    file Home Assistant itself writes once such settings are confirmed (the ``stable`` slot,
    no trial pending), with its own schema's defaults. 127.0.0.1: the demo (demo /
    demo-password) is not reachable from the network. An existing file is left alone.
    """
    # Home Assistant is imported here only: the other commands run without it.
    from homeassistant.components.http import config as http  # noqa: PLC0415
    from homeassistant.util import dt as dt_util  # noqa: PLC0415

    path = config_dir / ".storage" / http.STORAGE_KEY
    if path.exists():
        return
    stable = http.HTTP_STORAGE_SCHEMA({"server_host": ["127.0.0.1"], "server_port": port})
    stable |= {
        http.HTTP_CONFIG_CREATED_AT: dt_util.utcnow().isoformat(),
        http.HTTP_CONFIG_ERROR: None,
        http.HTTP_CONFIG_ERROR_MESSAGE: None,
    }
    store = {
        "version": http.STORAGE_VERSION,
        "minor_version": http.STORAGE_MINOR_VERSION,
        "key": http.STORAGE_KEY,
        "data": {
            http.KEY_STABLE: stable,
            http.KEY_PENDING: None,
            http.KEY_YAML_MIGRATION_DONE: True,
        },
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(store, indent=2) + "\n")
    path.chmod(0o600)  # as Home Assistant keeps it (a private store)


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


@asynccontextmanager
async def websocket(session: aiohttp.ClientSession, ha_url: str, token: str) -> AsyncIterator[Call]:
    """Open Home Assistant's websocket API; yield ``call(type, **fields)`` -> its result."""
    async with session.ws_connect(f"{ha_url}/api/websocket") as ws:
        await ws.receive_json()  # auth_required
        await ws.send_json({"type": "auth", "access_token": token})
        if (answer := await ws.receive_json()).get("type") != "auth_ok":
            raise SystemExit(f"the websocket API refused the token: {answer}")
        ids = itertools.count(1)

        async def call(command: str, **fields: Any) -> Any:
            message_id = next(ids)
            await ws.send_json({"id": message_id, "type": command, **fields})
            while (answer := await ws.receive_json()).get("id") != message_id:
                pass
            if not answer.get("success"):
                raise SystemExit(f"{command} failed: {answer.get('error')}")
            return answer.get("result")

        yield call


async def wait_until_running(call: Call) -> None:
    """Wait for the end of Home Assistant's start (state RUNNING: every integration set up)."""
    deadline = time.monotonic() + 300
    while (await call("get_config"))["state"] != "RUNNING":
        if time.monotonic() > deadline:
            raise SystemExit("Home Assistant did not finish starting within 5 minutes")
        await asyncio.sleep(0.5)


def core_installation() -> bool:
    """Whether Home Assistant here is a Core installation (a virtualenv, no container).

    This script runs in the same environment as Home Assistant, so it can tell as
    homeassistant.helpers.system_info does.
    """
    from homeassistant.util.package import is_docker_env, is_virtual_env  # noqa: PLC0415

    return is_virtual_env() and not is_docker_env()


async def ignore_installation_method_repair(call: Call) -> None:
    """Ignore "Unsupported installation method", as its Ignore button in Settings > Repairs does.

    Home Assistant raises it (domain homeassistant, issue deprecated_method) once started,
    at every start, for any "Home Assistant Core" installation: Home Assistant run from a
    Python virtualenv, which is what scripts/setup makes (no container, no Home Assistant
    OS) and has been unsupported since 2025.12. Nothing in the demo's configuration can
    change the installation method, so the demo dismisses exactly this repair. An ignored
    repair stays ignored across restarts until another Home Assistant version raises it
    again; Settings > Repairs > "Show ignored repairs" still lists it.
    """
    await wait_until_running(call)
    # It is raised just after the start (EVENT_HOMEASSISTANT_STARTED): wait for it.
    deadline = time.monotonic() + (60 if core_installation() else 0)
    domain, issue_id = INSTALLATION_METHOD_ISSUE
    while True:
        issues = (await call("repairs/list_issues"))["issues"]
        issue = next(
            (i for i in issues if (i["domain"], i["issue_id"]) == INSTALLATION_METHOD_ISSUE), None
        )
        if issue is not None:
            if not issue["ignored"]:
                await call("repairs/ignore_issue", domain=domain, issue_id=issue_id, ignore=True)
            return
        if time.monotonic() > deadline:
            return
        await asyncio.sleep(0.5)


async def report_repairs(call: Call) -> None:
    """Print the active repairs (ignored ones aside), so the start shows what Settings will."""
    issues = (await call("repairs/list_issues"))["issues"]
    active = [f"{i['domain']}/{i['issue_id']}" for i in issues if not i["ignored"]]
    ignored = [f"{i['domain']}/{i['issue_id']}" for i in issues if i["ignored"]]
    print(f"Repairs: {', '.join(active) or 'none'} active; ignored: {', '.join(ignored) or 'none'}")


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


# The host's day (scripts/dev/host_day.py): a calendar bound to the back door with
# turnover codes, blueprint automations that deliver to Home Assistant's notifications,
# and a dashboard that shows the day.
HOST_DAY_AUTOMATIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "host_day_deliver": (
        "deliver_guest_code.yaml",
        {"notify_action": "notify.persistent_notification"},
    ),
    "host_day_turnover": (
        "deliver_turnover_code.yaml",
        {"notify_action": "notify.persistent_notification"},
    ),
    "host_day_failed": (
        "guest_code_failed.yaml",
        {"notify_action": "notify.persistent_notification"},
    ),
    "host_day_arrivals": (
        "guest_arrivals.yaml",
        {"notify_action": "notify.persistent_notification"},
    ),
    "host_day_attempts": (
        "failed_attempts_alert.yaml",
        {"notify_action": "notify.persistent_notification", "failures": 3, "minutes": 10},
    ),
}
HOST_DAY_DASHBOARD: dict[str, Any] = {
    "title": "Host's day",
    "views": [
        {
            "title": "Studio",
            "path": "studio",
            "cards": [
                {
                    "type": "markdown",
                    "title": "Today at the Studio",
                    "content": (
                        "{% set plan = 'sensor.studio_month_plan' %}"
                        "{% set next = 'sensor.studio_next_stay' %}"
                        "**Now:** {{ state_attr(plan, 'current_guest') or 'nobody' }}"
                        "{% if state_attr(next, 'arrived_at') %} (arrived "
                        "{{ as_timestamp(state_attr(next, 'arrived_at'))"
                        " | timestamp_custom('%H:%M') }})"
                        "{% elif state_attr(plan, 'current_guest') %} (not arrived yet)"
                        "{% endif %}"
                        "{% if state_attr(plan, 'current_checkout') %}, leaving "
                        "{{ as_timestamp(state_attr(plan, 'current_checkout'))"
                        " | timestamp_custom('%a %H:%M') }}{% endif %}\n\n"
                        "**Next guest:** {{ state_attr(next, 'guest') or 'none booked' }}"
                        "{% if states(next) not in ['unknown', 'unavailable'] %}, arriving "
                        "{{ as_timestamp(states(next)) | timestamp_custom('%a %H:%M') }}"
                        "{% endif %}\n\n"
                        "**This month:** {{ states(plan) }} stays, "
                        "{{ state_attr(plan, 'turnovers') }} turnovers, "
                        "{{ state_attr(plan, 'codes_needed') }} codes still to make\n\n"
                        "{% for risk in state_attr(plan, 'at_risk') or [] %}"
                        "- ⚠️ {{ risk.guest }} ({{ risk.lock }}): "
                        "{{ risk.reasons | join(', ') }}\n{% endfor %}"
                    ),
                },
                {
                    "type": "entities",
                    "title": "Back door",
                    "entities": [
                        "lock.back_door",
                        "event.back_door_operation",
                        "sensor.back_door_failed_attempts",
                        "sensor.studio_next_stay",
                        "sensor.studio_month_plan",
                    ],
                },
                {
                    "type": "calendar",
                    "entities": ["calendar.studio", "calendar.back_door_access"],
                    "initial_view": "listWeek",
                },
                {
                    "type": "logbook",
                    "target": {"entity_id": ["lock.back_door", "event.back_door_operation"]},
                    "hours_to_show": 6,
                },
            ],
        }
    ],
}


async def loaded_entry(
    session: aiohttp.ClientSession, ha_url: str, headers: dict[str, str], domain: str
) -> dict[str, Any]:
    """Return a domain's entry once it is loaded (adding a binding reloads it)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for entry in await entries(session, ha_url, headers):
            if entry["domain"] == domain and entry["state"] == "loaded":
                return dict(entry)
        await asyncio.sleep(0.5)
    raise SystemExit(f"the {domain} entry did not load within 2 minutes")


async def add_host_day(
    session: aiohttp.ClientSession,
    ha_url: str,
    sim_url: str,
    headers: dict[str, str],
    call: Call,
) -> None:
    """Add the Studio calendar bound to the back door, its automations and dashboard.

    Each part only if it is missing (a start after a failed one completes it).
    """
    if not any(
        entry["domain"] == "local_calendar" and entry["title"] == "Studio"
        for entry in await entries(session, ha_url, headers)
    ):
        flows = f"{ha_url}/api/config/config_entries/flow"
        await run_flow(session, flows, headers, "local_calendar", {"calendar_name": "Studio"})
    async with session.get(f"{sim_url}/_sim/locks") as resp:
        back = next(lock for lock in await resp.json() if lock["name"] == "Back door")
    ttlock = await loaded_entry(session, ha_url, headers, "ttlock_access")
    bindings = await call("config_entries/subentries/list", entry_id=ttlock["entry_id"])
    if not any(binding["title"] == "Studio" for binding in bindings):
        await add_studio_binding(session, ha_url, headers, ttlock["entry_id"], back["lock_id"])
    for automation_id, (blueprint, inputs) in HOST_DAY_AUTOMATIONS.items():
        body = {
            "id": automation_id,
            "alias": f"Host's day: {blueprint.removesuffix('.yaml').replace('_', ' ')}",
            "description": "",
            "use_blueprint": {"path": f"ttlock_access/{blueprint}", "input": inputs},
        }
        async with session.post(
            f"{ha_url}/api/config/automation/config/{automation_id}", json=body, headers=headers
        ) as resp:
            resp.raise_for_status()
    dashboards = await call("lovelace/dashboards/list")
    if not any(dashboard["url_path"] == "host-day" for dashboard in dashboards):
        await call(
            "lovelace/dashboards/create",
            url_path="host-day",
            title="Host's day",
            icon="mdi:door-open",
            show_in_sidebar=True,
            require_admin=False,
            mode="storage",
        )
    await call("lovelace/config/save", url_path="host-day", config=HOST_DAY_DASHBOARD)


async def add_studio_binding(
    session: aiohttp.ClientSession,
    ha_url: str,
    headers: dict[str, str],
    entry_id: str,
    lock_id: int,
) -> None:
    """Bind the Studio calendar to the back door: turnover codes, arrivals, short margins."""
    await run_flow(
        session,
        f"{ha_url}/api/config/config_entries/subentries/flow",
        headers,
        [entry_id, "guest_binding"],
        {
            "name": "Studio",
            "calendars": ["calendar.studio"],
            "locks": [str(lock_id)],
            "days_before": 1,
            "margin": 0,
            "code_source": "random",
            "code_length": 6,
            "fallback_offline": True,
            "turnover": {"turnover": "between_stays", "cleaner": "Maria"},
            "no_show_hours": 1,
        },
    )


async def main(
    ha_url: str, simulator_url: str, user: str, password: str, *, onboard_only: bool = False
) -> None:
    """Onboard, add the integration and a calendar of stays bound to the front door."""
    async with aiohttp.ClientSession() as session:
        await wait_until_up(session, ha_url)
        token = await login(session, ha_url, user, password)
        async with websocket(session, ha_url, token) as call:
            await ignore_installation_method_repair(call)
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
        async with websocket(session, ha_url, token) as call:
            await add_host_day(session, ha_url, simulator_url, headers, call)
            await report_repairs(call)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--seed-http"]:
        seed_http_config(Path(sys.argv[2]), int(sys.argv[3]))
    else:
        asyncio.run(main(*sys.argv[1:5], onboard_only="--onboard-only" in sys.argv[5:]))
