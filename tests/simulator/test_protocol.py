"""The simulator's protocol facts are its own (official pages) and agree with the client's.

The simulator imports nothing of the client: a wrong path, errcode or enum value on
either side now shows up here or in a failing exchange, not as an agreement by
construction.
"""

from __future__ import annotations

import ast
from pathlib import Path

from custom_components.ttlock_access.api import const as client_const, models
from simulator import protocol

SIMULATOR = Path(__file__).resolve().parents[2] / "simulator"


def test_the_simulator_imports_nothing_of_the_client() -> None:
    for path in SIMULATOR.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("custom_components"), path
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("custom_components") for a in node.names), path


def test_documented_values_agree() -> None:
    assert protocol.TOKEN_PATH == client_const.TOKEN_PATH == "/oauth2/token"
    assert protocol.MAX_CLOCK_SKEW_MS == client_const.MAX_CLOCK_SKEW_MS
    assert protocol.ERR_PASSCODE_QUOTA == client_const.ERR_PASSCODE_QUOTA
    # The client never asks for more than a list gives (official page sizes).
    assert client_const.PAGE_SIZE_LOCKS <= protocol.MAX_PAGE_LOCKS
    assert client_const.PAGE_SIZE_METERS <= protocol.MAX_PAGE_METERS
    for size in (
        client_const.PAGE_SIZE_GATEWAYS,
        client_const.PAGE_SIZE_PASSCODES,
        client_const.PAGE_SIZE_RECORDS,
        client_const.PAGE_SIZE_CARDS,
        client_const.PAGE_SIZE_FINGERPRINTS,
    ):
        assert size <= protocol.MAX_PAGE
    for name in ("PASSCODE", "IC_CARD", "FINGERPRINT", "LOCK_COMMAND", "GATEWAY_UNLOCK", "WIFI"):
        assert getattr(protocol, f"FEATURE_{name}") == getattr(client_const, f"FEATURE_{name}")
    for ours, theirs in (
        (protocol.LockState, models.LockState),
        (protocol.PasscodeType, models.PasscodeType),
        (protocol.PasscodeStatus, models.PasscodeStatus),
        (protocol.RecordType, models.RecordType),
    ):
        for member in ours:
            assert theirs[member.name] == member.value, (ours.__name__, member.name)
