"""Shared fixtures.

The integration package is imported first: pytest-homeassistant-custom-component points
Home Assistant at its own testing config, whose ``custom_components`` package would
otherwise shadow this repository's.
"""

from __future__ import annotations

from collections.abc import Generator

import pytest

import custom_components.ttlock_access  # noqa: F401  # must come before HA loads integrations

pytest_plugins = ["tests.cloud_fixtures"]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> Generator[None]:
    """Let Home Assistant load custom integrations in every test."""
    yield
