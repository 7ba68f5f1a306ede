"""The browser test's driver: headless Chromium through Playwright, as a person would click.

Runs on the host's python3 (Playwright in .cache/browser-venv); scripts/browser-test starts
the simulator and Home Assistant and onboards the owner first. Steps: log in on the login
page, add TTLock Access from Settings > Devices & services (custom API URL in the Advanced
section), find the front door's lock and battery entities, unlock and lock it from its
more-info dialog, and check the simulator's lock state after each; list the passcodes of
the Bluetooth-only garage (no lock entity) from Developer tools > Actions by picking its
device as the target; last, open Settings > Repairs and fail on an active repair from the
integration or the demo's set-up. A screenshot per step goes to the artifacts folder; any
failure exits non-zero with the step and the reason.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
import json
from pathlib import Path
import re
import sys
import tempfile
import time
from typing import Any
import urllib.request

from playwright.sync_api import Locator, Page, expect, sync_playwright

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 30_000  # any one wait; the whole test is bounded by scripts/browser-test
LOCKED, UNLOCKED = 0, 1
# Repairs that would come from this project: the integration, and the demo's set-up (its
# HTTP settings: http; the installation method and the rest of the core: homeassistant).
OUR_REPAIR_DOMAINS = {"ttlock_access", "http", "homeassistant"}


class Steps:
    """Run named steps, each ending with a numbered screenshot."""

    def __init__(self, page: Page, artifacts: Path) -> None:
        self.page = page
        self.artifacts = artifacts
        self.count = 0

    def run(self, name: str, action: Callable[[], None]) -> None:
        """Run one step; on failure save a screenshot and stop with the reason."""
        self.count += 1
        shot = self.artifacts / f"{self.count:02d}-{name}.png"
        began = time.monotonic()
        try:
            action()
        except Exception as err:
            failed = shot.with_name(f"{self.count:02d}-{name}-FAILED.png")
            self.page.screenshot(path=str(failed))
            print(f"FAILED at step {name!r}: {err}\n  screenshot: {failed}", file=sys.stderr)
            raise SystemExit(1) from err
        self.page.screenshot(path=str(shot))
        print(f"  ok  {name} ({time.monotonic() - began:.1f} s)  {shot.name}", flush=True)


def sim_lock_state(sim: str, name: str) -> int:
    """Return the simulator's state of the lock called ``name`` (GET /_sim/locks)."""
    with urllib.request.urlopen(f"{sim}/_sim/locks", timeout=10) as response:
        locks = json.load(response)
    return int(next(lock["state"] for lock in locks if lock["name"] == name))


def wait_sim_state(sim: str, name: str, wanted: int, within: float = 30) -> None:
    """Wait until the simulator's lock reaches ``wanted``."""
    deadline = time.monotonic() + within
    while (state := sim_lock_state(sim, name)) != wanted:
        if time.monotonic() > deadline:
            raise AssertionError(f"simulator: {name} is in state {state}, expected {wanted}")
        time.sleep(0.25)


def _repair(issue: dict[str, Any]) -> str:
    return f"{issue['domain']}/{issue['issue_id']}"


def main() -> None:
    """Drive the UI through the steps."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ha", required=True)
    parser.add_argument("--sim", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--artifacts", type=Path, required=True)
    args = parser.parse_args()
    args.artifacts.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="ttlock-chromium-") as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile,
            executable_path=args.chromium,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(TIMEOUT_MS)
        expect.set_options(timeout=TIMEOUT_MS)
        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda msg: console.append(f"{msg.type}: {msg.text}"))
        page.on("pageerror", lambda err: console.append(f"page error: {err.message} {err.stack}"))
        page.on(
            "requestfailed", lambda req: console.append(f"request failed: {req.url} {req.failure}")
        )
        steps = Steps(page, args.artifacts)
        try:
            run_steps(steps, page, args)
        except SystemExit:
            print("Browser console (last 20):", *console[-20:], sep="\n  ", file=sys.stderr)
            raise
        finally:
            context.close()
    print("browser test: all steps passed")


def run_steps(steps: Steps, page: Page, args: argparse.Namespace) -> None:
    """Log in, add the integration, operate the front door, act on the garage, repairs."""
    ha, sim = args.ha, args.sim

    def log_in() -> None:
        page.goto(ha)
        page.locator("input[name='username']").fill(args.user)
        page.locator("input[name='password']").fill(args.password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: "/auth/authorize" not in url)
        expect(page.get_by_text("Settings").first).to_be_visible()

    def open_add_integration() -> None:
        page.goto(f"{ha}/config/integrations/dashboard")
        page.get_by_role("button", name="Add integration").click()
        page.get_by_placeholder("Search").first.fill("TTLock")
        page.get_by_text("TTLock Access", exact=True).first.click()
        expect(page.get_by_text("Connect a TTLock account")).to_be_visible()

    def fill_config_flow() -> None:
        # The form's inputs carry the schema's keys as names (inside the dialog's shadow DOM).
        page.locator("input[name='client_id']").fill("sim-client-id")
        page.locator("input[name='client_secret']").fill("sim-client-secret")
        page.locator("input[name='username']").fill("demo@example.com")
        page.locator("input[name='password']").fill("demo-password")
        page.locator("ha-expansion-panel").filter(has_text="Advanced").click()
        page.locator("input[name='base_url']").fill(sim)

    def submit_config_flow() -> None:
        page.get_by_role("button", name="Submit").click()
        # Created: the devices to name and assign, under the callback URL to paste.
        expect(page.get_by_text("The account is connected")).to_be_visible()
        names = page.get_by_role("textbox", name="Device name")
        expect(names.first).to_be_visible()
        values = names.evaluate_all("inputs => inputs.map(input => input.value)")
        if "Front door" not in values:
            raise AssertionError(f"no Front door among the new devices: {values}")
        page.get_by_role("button", name=re.compile("finish", re.IGNORECASE)).click()
        expect(page.get_by_text("The account is connected")).to_be_hidden()

    def search_entities(text: str) -> None:
        page.goto(f"{ha}/config/entities")
        page.locator("input[placeholder^='Search']").filter(visible=True).first.fill(text)

    def entity_row(entity: str, device: str) -> Locator:
        # A row's accessible name: state icon, entity name, device, area, integration...
        return page.get_by_role("row", name=re.compile(rf"^{entity} {device} "))

    def dialog() -> Locator:
        # The more-info dialog's content is slotted into its role=dialog element, so text is
        # looked up from the dialog component (get_by_text pierces its shadow DOM).
        return page.locator("ha-more-info-dialog")

    def see_battery() -> None:
        search_entities("sensor.front_door_battery")
        entity_row("Battery", "Front door").click()
        expect(dialog().get_by_text("Battery", exact=True).first).to_be_visible()
        expect(
            dialog().get_by_text("85%", exact=True).first
        ).to_be_visible()  # the simulator's battery level
        page.keyboard.press("Escape")
        expect(page.get_by_role("dialog")).to_be_hidden()

    def open_lock() -> None:
        search_entities("lock.front_door")
        entity_row("Front door", "Front door").click()
        expect(dialog().get_by_text("Locked", exact=True).first).to_be_visible()

    def unlock() -> None:
        # The lock's more-info control: one big toggle (locked at the top).
        dialog().locator("ha-state-control-lock-toggle").click()
        wait_sim_state(sim, "Front door", UNLOCKED)
        expect(dialog().get_by_text("Unlocked", exact=True).first).to_be_visible()

    def lock() -> None:
        dialog().locator("ha-state-control-lock-toggle").click()
        wait_sim_state(sim, "Front door", LOCKED)
        expect(dialog().get_by_text("Locked", exact=True).first).to_be_visible()

    def action_for_a_lock_without_gateway() -> None:
        # The Bluetooth-only garage has no lock entity: its device is the target to pick.
        page.goto(f"{ha}/developer-tools/action")
        page.locator("ha-service-picker").click()
        page.wait_for_timeout(500)  # the picker's search field takes the focus
        page.keyboard.type("List passcodes")
        page.get_by_text("Returns the passcodes of TTLock locks").first.click()
        page.get_by_text("Add target").click()
        page.wait_for_timeout(500)
        page.keyboard.type("Garage")
        page.locator("ha-target-picker").get_by_text("TTLock Access").click()  # the device
        expect(page.locator("ha-target-picker").get_by_text("Garage").first).to_be_visible()
        page.get_by_role("button", name="Perform action").click()
        response = page.locator("ha-yaml-editor, ha-code-editor").last
        expect(response).to_contain_text("passcodes:")
        expect(page.get_by_text("Failed to perform the action")).to_have_count(0)

    def repairs() -> None:
        # The issues as Settings > Repairs gets them: the page's own websocket connection.
        page.goto(f"{ha}/config/repairs")
        page.wait_for_function("() => document.querySelector('home-assistant')?.hass?.connected")
        issues = page.evaluate(
            "() => document.querySelector('home-assistant').hass"
            ".callWS({type: 'repairs/list_issues'})"
        )["issues"]
        active = [issue for issue in issues if not issue["ignored"]]
        ours = [
            issue
            for issue in active
            if issue["domain"] in OUR_REPAIR_DOMAINS or issue["issue_domain"] == "ttlock_access"
        ]
        if ours:
            raise AssertionError(f"active repairs: {[_repair(issue) for issue in ours]}")
        for issue in issues:
            state = "ignored" if issue["ignored"] else "active, not ours"
            print(f"      repair {_repair(issue)} ({state})", flush=True)
        if not active:
            expect(page.get_by_text("There are currently no repairs pending")).to_be_visible()
        expect(page.locator("#ha-launch-screen")).to_have_count(0)  # faded out: a clear shot

    steps.run("login", log_in)
    steps.run("add-integration", open_add_integration)
    steps.run("config-flow-form", fill_config_flow)
    steps.run("config-flow-done", submit_config_flow)
    steps.run("battery-entity", see_battery)
    steps.run("lock-entity", open_lock)
    if sim_lock_state(sim, "Front door") != LOCKED:
        raise SystemExit("the simulator's front door should start locked")
    steps.run("unlocked", unlock)
    steps.run("locked", lock)
    steps.run("action-gateway-less-lock", action_for_a_lock_without_gateway)
    steps.run("repairs", repairs)
    print(f"browser: {steps.count} passed, 0 failed", flush=True)


if __name__ == "__main__":
    main()
