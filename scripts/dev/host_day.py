"""Play a host's whole day on the demo, in about 45 minutes of real time.

scripts/develop starts it after the demo is set up. It books two short stays on the
"Studio" calendar (bound to the back door, with turnover codes for the cleaner), then acts
out what people do at the door, at the keypad of the simulator, and posts each record to
the integration's webhook as the TTLock cloud would:

  T+0   two stays booked: Lea (T+5 to T+20) and Noah (from T+40): codes for both and a
        turnover code for Maria are made and delivered (notifications)
  T+6   Lea types her code: she has arrived
  T+9   someone tries three wrong codes: a failed-attempts alert
  T+20  Lea checks out: her code is deleted
  T+22  Maria, the cleaner, types her code
  T+26  Lea tries her old code: refused
  T+41  Noah types his code: the next guest has arrived

Watch it on the "Host's day" dashboard and in the notifications. Each step is printed.

python scripts/dev/host_day.py HA_URL SIMULATOR_URL USER PASSWORD CONFIG_DIR
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
import sys
import time
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import webhook_id
from demo_setup import login, wait_until_up

CALENDAR = "calendar.studio"
TOKEN_FOR = 20 * 60  # seconds; Home Assistant's access tokens last 30 minutes
LOCK = "Back door"
# (minutes after the start, what happens): "code:<guest>" types that guest's code.
SCRIPT: tuple[tuple[int, str, str], ...] = (
    (6, "code:Lea", "Lea arrives and types her code"),
    (9, "wrong", "someone tries three wrong codes"),
    (22, "code:Maria", "Maria, the cleaner, types her code"),
    (26, "old:Lea", "Lea comes back and tries her old code"),
    (41, "code:Noah", "Noah, the next guest, arrives and types his code"),
)


class Demo:
    """The demo's Home Assistant and simulator, as the people at the door see them."""

    def __init__(
        self, session: aiohttp.ClientSession, ha: str, sim: str, user: str, password: str
    ) -> None:
        self.session, self.ha, self.sim = session, ha, sim
        self._login = (user, password)
        self.headers: dict[str, str] = {}
        self._token_at = 0.0
        self.codes: dict[str, str] = {}

    async def fresh(self) -> None:
        """Log in again before the access token (30 minutes) runs out."""
        if time.monotonic() - self._token_at > TOKEN_FOR:
            token = await login(self.session, self.ha, *self._login)
            self.headers = {"Authorization": f"Bearer {token}"}
            self._token_at = time.monotonic()

    async def service(self, domain: str, name: str, data: dict[str, Any]) -> Any:
        """Call an action (a get_ action: with its response; None for an unknown stay)."""
        await self.fresh()
        url = f"{self.ha}/api/services/{domain}/{name}"
        if name.startswith("get_"):
            url += "?return_response"
        async with self.session.post(url, json=data, headers=self.headers) as resp:
            if resp.status == 400 and name.startswith("get_"):
                return None  # no such stay (a turnover that has none)
            resp.raise_for_status()
            return await resp.json()

    async def stays(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Return the Studio calendar's events in a window."""
        await self.fresh()
        url = f"{self.ha}/api/calendars/{CALENDAR}"
        params = {"start": start.isoformat(), "end": end.isoformat()}
        async with self.session.get(url, params=params, headers=self.headers) as resp:
            resp.raise_for_status()
            found: list[dict[str, Any]] = await resp.json()
            return found

    async def book(self, guest: str, start: datetime, end: datetime) -> None:
        """Add a stay to the Studio calendar."""
        await self.service(
            "calendar",
            "create_event",
            {
                "entity_id": CALENDAR,
                "summary": guest,
                "start_date_time": start.isoformat(),
                "end_date_time": end.isoformat(),
            },
        )

    async def remember_codes(self, now: datetime) -> None:
        """Read each stay's code (and the turnover's) as the guest and cleaner got them."""
        for stay in await self.stays(now - timedelta(hours=1), now + timedelta(days=3)):
            for event_uid, person in (
                (stay["uid"], stay["summary"]),
                (f"{stay['uid']}|turnover", "Maria"),
            ):
                found = await self.service(
                    "ttlock_access",
                    "get_guest_code",
                    {"calendar": CALENDAR, "event_uid": event_uid},
                )
                if found is None:
                    continue
                codes = [c["code"] for c in found["service_response"]["codes"] if c["code"]]
                if codes:
                    self.codes.setdefault(person, codes[0])

    async def lock_id(self) -> int:
        """Return the back door's lock id in the simulator."""
        async with self.session.get(f"{self.sim}/_sim/locks") as resp:
            return int(next(lock for lock in await resp.json() if lock["name"] == LOCK)["lock_id"])

    async def keypad(self, lock_id: int, code: str, hook: str) -> None:
        """Type a code at the lock, then post the record's callback as the cloud would."""
        body = {"lock_id": lock_id, "code": code}
        async with self.session.post(f"{self.sim}/_sim/keypad", json=body) as resp:
            resp.raise_for_status()
        async with self.session.get(
            f"{self.sim}/_sim/callback", params={"lock_id": lock_id}
        ) as resp:
            form = await resp.json()
        async with self.session.post(f"{self.ha}/api/webhook/{hook}", data=form) as resp:
            resp.raise_for_status()


async def main(ha: str, sim: str, user: str, password: str, config: Path) -> None:
    """Book the day, then act it out."""
    async with aiohttp.ClientSession() as session:
        await wait_until_up(session, ha)
        demo = Demo(session, ha, sim, user, password)
        hook = webhook_id(config)
        start = datetime.now().astimezone().replace(second=0, microsecond=0) + timedelta(minutes=1)
        if await demo.stays(start - timedelta(days=1), start + timedelta(days=2)):
            print("Host's day: the Studio calendar already has stays; not booking again")
        else:
            # Noah first: Lea's turnover then knows its end from the start (one message).
            await demo.book("Noah", start + timedelta(minutes=40), start + timedelta(days=1))
            await demo.book("Lea", start + timedelta(minutes=5), start + timedelta(minutes=20))
            print(f"Host's day starts at {start:%H:%M}: Lea 5-20 min, Noah from 40 min")
        lock_id = await demo.lock_id()
        for minutes, action, what in SCRIPT:
            moment = start + timedelta(minutes=minutes)
            await asyncio.sleep(max(0.0, (moment - datetime.now().astimezone()).total_seconds()))
            await demo.remember_codes(start)
            kind, _, person = action.partition(":")
            print(f"{moment:%H:%M} {what}")
            if kind == "wrong":
                for digits in ("123987", "555123", "909182"):
                    await demo.keypad(lock_id, digits, hook)
            elif (code := demo.codes.get(person)) is not None:
                await demo.keypad(lock_id, code, hook)
            else:
                print(f"      (no code for {person}: see the Month plan sensor)")
        print("Host's day: done")


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # a log file
    asyncio.run(main(*sys.argv[1:5], Path(sys.argv[5])))
