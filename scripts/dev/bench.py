"""Benchmark TTLock Access in a real Home Assistant against the standalone simulator.

For each lock count: start ``python -m simulator --locks N`` (N generated locks on top of
the 3 demo locks) and a fresh Home Assistant, onboard it and add the integration through
the config flow, then measure

- setup: config flow submitted -> entry loaded and every lock entity present, and the
  cloud requests that took;
- memory: RSS of the hass process before the integration and after its setup;
- latency from a state change in the simulator to the entity state by push (the TTLock
  callback POSTed to the entry's webhook right after the change; the integration reads the
  lock's records to confirm it before the entity changes).

Cloud calls per day and month, and the state delay while polling, come from simulated
time (tests/bench_calls.py): a real day is too long to wait for. Prints a markdown table.
Run by scripts/bench; only 127.0.0.1 is used.

python scripts/dev/bench.py [--locks 1,10,100,500] [--ha-port P] [--sim-port P] [--push-samples K]
"""

from __future__ import annotations

import argparse
import asyncio
from contextlib import AsyncExitStack, suppress
from dataclasses import dataclass, field
import json
import os
from pathlib import Path
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))  # demo_setup, next to this file
from demo_setup import login, seed_http_config, wait_until_up

REPO = Path(__file__).resolve().parents[2]
DEMO_LOCKS = 3
LOCKED, UNLOCKED = 0, 1
USER, PASSWORD = "demo", "demo-password"

CONFIGURATION = """\
homeassistant:
  name: TTLock Access bench
  latitude: 52.37
  longitude: 4.89
  elevation: 0
  unit_system: metric
  currency: EUR
  country: NL
  time_zone: Europe/Amsterdam
  language: en
auth:
onboarding:
config:
webhook:
logger:
  default: warning
"""
ONBOARDING = {
    "version": 4,
    "minor_version": 1,
    "key": "onboarding",
    "data": {"done": ["core_config", "analytics", "integration"]},
}


@dataclass
class Result:
    """What one lock count measured."""

    locks: int
    ha_start: float = 0.0
    setup: float = 0.0
    setup_requests: int = 0
    rss_before: int = 0  # kB
    rss_after: int = 0
    push_latency: list[float] = field(default_factory=list)


def rss_kb(pid: int) -> int:
    """VmRSS of a process (the chroot shares the host's pid namespace)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def port_busy(port: int) -> bool:
    """Whether something listens on 127.0.0.1:port."""
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def start(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    """Start a service in a session (process group) of its own."""
    with log.open("wb") as out:
        return subprocess.Popen(
            args, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a service's whole process group: TERM, then KILL after 30 s."""
    for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        with suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        return


class Bench:
    """One Home Assistant and one simulator, for one lock count."""

    def __init__(self, session: aiohttp.ClientSession, ha: str, sim: str) -> None:
        self.session = session
        self.ha = ha
        self.sim = sim
        self.headers: dict[str, str] = {}

    async def api(self, method: str, path: str, body: Any = None) -> Any:
        """Call Home Assistant's REST API; raise on an HTTP error."""
        url = f"{self.ha}{path}"
        async with self.session.request(method, url, json=body, headers=self.headers) as resp:
            if resp.status >= 400:
                raise RuntimeError(f"{method} {path}: HTTP {resp.status} {await resp.text()}")
            return await resp.json()

    async def sim_get(self, path: str) -> Any:
        """GET a simulator control route."""
        async with self.session.get(f"{self.sim}{path}") as resp:
            resp.raise_for_status()
            return await resp.json()

    async def sim_post(self, path: str, body: dict[str, Any] | None = None) -> None:
        """POST to a simulator control route."""
        async with self.session.post(f"{self.sim}{path}", json=body or {}) as resp:
            resp.raise_for_status()

    async def entry(self) -> dict[str, Any] | None:
        """Return the TTLock Access config entry, if there is one."""
        entries = await self.api("GET", "/api/config/config_entries/entry?domain=ttlock_access")
        return entries[0] if entries else None

    async def wait_loaded(self, locks: int, within: float) -> None:
        """Wait until the entry is loaded and ``locks`` lock entities have a state."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            entry = await self.entry()
            if entry and entry["state"] == "loaded":
                states = await self.api("GET", "/api/states")
                present = [
                    s
                    for s in states
                    if s["entity_id"].startswith("lock.") and s["state"] != "unavailable"
                ]
                if len(present) >= locks:
                    return
            if entry and entry["state"] in ("setup_error", "setup_retry", "failed_unload"):
                raise RuntimeError(f"the entry did not load: {entry}")
            await asyncio.sleep(0.25)
        raise RuntimeError(f"{locks} lock entities did not appear within {within:.0f} s")

    async def add_integration(self) -> None:
        """Run the config flow with the simulator as the custom (advanced) base URL."""
        flow = await self.api(
            "POST",
            "/api/config/config_entries/flow",
            {"handler": "ttlock_access", "show_advanced_options": True},
        )
        result = await self.api(
            "POST",
            f"/api/config/config_entries/flow/{flow['flow_id']}",
            {
                "server": "eu",
                "advanced": {"base_url": self.sim},
                "client_id": "sim-client-id",
                "client_secret": "sim-client-secret",
                "username": "demo@example.com",
                "password": "demo-password",
            },
        )
        if result.get("type") != "create_entry":
            raise RuntimeError(f"the config flow did not create an entry: {result}")

    async def state(self, entity_id: str) -> str:
        """Return an entity's state."""
        return str((await self.api("GET", f"/api/states/{entity_id}"))["state"])

    async def wait_state(self, entity_id: str, wanted: str, began: float, within: float) -> float:
        """Seconds from ``began`` until the entity shows ``wanted`` (polled every 50 ms)."""
        while time.monotonic() - began < within:
            if await self.state(entity_id) == wanted:
                return time.monotonic() - began
            await asyncio.sleep(0.05)
        raise RuntimeError(f"{entity_id} did not become {wanted} within {within:.0f} s")

    async def change_lock(self, lock_id: int, state: int) -> None:
        """Operate a lock by hand in the simulator (it writes a record)."""
        await self.sim_post("/_sim/lock_state", {"lock_id": lock_id, "state": state})

    async def push(self, webhook_id: str, lock_id: int) -> None:
        """POST what the TTLock cloud sends about the lock's newest record (notifyType 1)."""
        form = await self.sim_get(f"/_sim/callback?lock_id={lock_id}")
        async with self.session.post(f"{self.ha}/api/webhook/{webhook_id}", data=form) as resp:
            if resp.status != 200 or await resp.text() != "success":
                raise RuntimeError(f"webhook answered HTTP {resp.status}")


def webhook_id(config: Path, timeout: float = 30) -> str:
    """Read the entry's webhook id from the config entries store (saved with a delay)."""
    deadline = time.monotonic() + timeout
    store = config / ".storage" / "core.config_entries"
    while time.monotonic() < deadline:
        if store.exists():
            for entry in json.loads(store.read_text())["data"]["entries"]:
                if entry["domain"] == "ttlock_access":
                    return str(entry["data"]["webhook_id"])
        time.sleep(0.5)
    raise RuntimeError("the config entry was not saved within 30 s")


def make_config(folder: Path, ha_port: int) -> None:
    """Write a minimal configuration, onboarding done but for the owner account."""
    (folder / ".storage").mkdir(parents=True)
    (folder / "configuration.yaml").write_text(CONFIGURATION)
    seed_http_config(folder, ha_port)  # 127.0.0.1:ha_port, where HA 2026.10 keeps it
    (folder / ".storage" / "onboarding").write_text(json.dumps(ONBOARDING))
    (folder / "custom_components").symlink_to(REPO / "custom_components")


async def measure(locks: int, ha_port: int, sim_port: int, push_samples: int) -> Result:
    """Run one lock count from a fresh config folder; stop everything afterwards."""
    total = locks + DEMO_LOCKS
    result = Result(locks=total)
    folder = Path(tempfile.mkdtemp(prefix=f"ttlock-bench-{locks}-"))
    logs = REPO / ".cache" / "bench"
    logs.mkdir(parents=True, exist_ok=True)
    ha, sim = f"http://127.0.0.1:{ha_port}", f"http://127.0.0.1:{sim_port}"
    make_config(folder, ha_port)
    for port in (ha_port, sim_port):
        if port_busy(port):
            raise SystemExit(f"port {port} is already in use")
    processes: list[subprocess.Popen[bytes]] = []
    try:
        processes.append(
            start(
                [sys.executable, "-m", "simulator", "--port", str(sim_port), "--locks", str(locks)],
                logs / f"simulator-{locks}.log",
            )
        )
        began = time.monotonic()
        hass = start(
            [str(Path(sys.executable).with_name("hass")), "--config", str(folder), "--skip-pip"],
            logs / f"home-assistant-{locks}.log",
        )
        processes.append(hass)
        async with AsyncExitStack() as stack:
            session = await stack.enter_async_context(
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120))
            )
            bench = Bench(session, ha, sim)
            await wait_until_up(session, ha)
            result.ha_start = time.monotonic() - began
            bench.headers = {"Authorization": f"Bearer {await login(session, ha, USER, PASSWORD)}"}
            sim_locks = await bench.sim_get("/_sim/locks")
            # Only locks the cloud reaches (gateway or Wi-Fi) get a lock entity.
            remote = sum(1 for lock in sim_locks if lock["gateway_ids"])
            await asyncio.sleep(3)  # let the start settle before the baseline
            result.rss_before = rss_kb(hass.pid)

            await bench.sim_post("/_sim/reset_stats")
            began = time.monotonic()
            await bench.add_integration()
            await bench.wait_loaded(remote, within=240)
            result.setup = time.monotonic() - began
            result.setup_requests = (await bench.sim_get("/_sim/stats"))["total"]
            result.rss_after = rss_kb(hass.pid)

            hook = webhook_id(folder)

            # The first generated lock: behind a gateway, so the cloud pushes for it.
            target = next(lock for lock in sim_locks if lock["name"] == "Door 001")
            states = await bench.api("GET", "/api/states")
            entity_id = next(
                s["entity_id"]
                for s in states
                if s["entity_id"].startswith("lock.")
                and s["attributes"].get("friendly_name") == "Door 001"
            )
            wanted = UNLOCKED if await bench.state(entity_id) == "locked" else LOCKED

            # Push: the callback right after the change (the cloud sends it within ~1 s).
            for _ in range(push_samples):
                wanted = UNLOCKED if wanted == LOCKED else LOCKED
                await asyncio.sleep(0.3)
                began = time.monotonic()
                await bench.change_lock(target["lock_id"], wanted)
                await bench.push(hook, target["lock_id"])
                result.push_latency.append(
                    await bench.wait_state(
                        entity_id, "unlocked" if wanted == UNLOCKED else "locked", began, 10
                    )
                )
    finally:
        for process in reversed(processes):
            stop(process)
        shutil.rmtree(folder, ignore_errors=True)
    return result


def _mib(kb: int) -> str:
    return f"{kb / 1024:.0f}"


def report(results: list[Result]) -> str:
    """Markdown: one row per lock count."""
    lines = [
        "| Locks | HA HTTP up | Setup | Setup requests | RSS before / after setup (MiB) "
        "| State change to HA by push (median) |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        push = f"{statistics.median(r.push_latency) * 1000:.0f} ms" if r.push_latency else "-"
        lines.append(
            f"| {r.locks} | {r.ha_start:.1f} s | {r.setup:.1f} s | {r.setup_requests} "
            f"| {_mib(r.rss_before)} / {_mib(r.rss_after)} (+{_mib(r.rss_after - r.rss_before)}) "
            f"| {push} |"
        )
    return "\n".join(lines)


async def main() -> None:
    """Measure each lock count in turn and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--locks", default="1,10,100,500", help="generated locks, comma separated")
    parser.add_argument("--ha-port", type=int, default=18123)
    parser.add_argument("--sim-port", type=int, default=18124)
    parser.add_argument("--push-samples", type=int, default=5)
    args = parser.parse_args()
    results = []
    for locks in (int(n) for n in args.locks.split(",")):
        began = time.monotonic()
        print(f"==> {locks} generated locks (+{DEMO_LOCKS} demo locks)", file=sys.stderr)
        results.append(await measure(locks, args.ha_port, args.sim_port, args.push_samples))
        print(f"    done in {time.monotonic() - began:.0f} s", file=sys.stderr)
    print(report(results))
    print(
        f"\nLocks: generated + {DEMO_LOCKS} demo locks (2 behind a gateway, 1 Bluetooth only). "
        "RSS: VmRSS of the hass process (minimal configuration: http, auth, onboarding, "
        "config, webhook)."
    )


if __name__ == "__main__":

    def _terminate(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _terminate)
    asyncio.run(main())
