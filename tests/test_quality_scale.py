"""quality_scale.yaml names every rule of every tier, each done or exempt with a reason."""

from __future__ import annotations

import json
from pathlib import Path

from homeassistant.util.yaml import load_yaml

# The 54 rules of the Integration Quality Scale (script/hassfest/quality_scale.py).
RULES = {
    "action-setup", "appropriate-polling", "brands", "common-modules",
    "config-flow-test-coverage", "config-flow", "dependency-transparency", "docs-actions",
    "docs-conditions", "docs-triggers", "docs-high-level-description",
    "docs-installation-instructions", "docs-removal-instructions", "entity-event-setup",
    "entity-unique-id", "has-entity-name", "runtime-data", "test-before-configure",
    "test-before-setup", "unique-config-entry",
    "action-exceptions", "config-entry-unloading", "docs-configuration-parameters",
    "docs-installation-parameters", "entity-unavailable", "integration-owner",
    "log-when-unavailable", "parallel-updates", "reauthentication-flow", "test-coverage",
    "devices", "diagnostics", "discovery-update-info", "discovery", "docs-data-update",
    "docs-examples", "docs-known-limitations", "docs-supported-devices",
    "docs-supported-functions", "docs-troubleshooting", "docs-use-cases", "dynamic-devices",
    "entity-category", "entity-device-class", "entity-disabled-by-default",
    "entity-translations", "exception-translations", "icon-translations",
    "reconfiguration-flow", "repair-issues", "stale-devices",
    "async-dependency", "inject-websession", "strict-typing",
}  # fmt: skip

INTEGRATION = Path(__file__).parents[1] / "custom_components" / "ttlock_access"


def test_every_rule_is_assessed() -> None:
    rules = load_yaml(INTEGRATION / "quality_scale.yaml")["rules"]
    assert len(RULES) == 54
    assert set(rules) == RULES
    for rule, value in rules.items():
        status = value if isinstance(value, str) else value["status"]
        assert status in {"done", "exempt"}, f"{rule} is {status}"
        if status == "exempt":
            assert value.get("comment"), f"{rule} is exempt without a reason"


def test_brand_icon_is_a_256px_png() -> None:
    data = (INTEGRATION / "brand" / "icon.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20]), int.from_bytes(data[20:24])
    assert (width, height) == (256, 256)


def test_manifest_is_what_hassfest_and_hacs_accept() -> None:
    manifest = json.loads((INTEGRATION / "manifest.json").read_text())
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])  # hassfest: domain, name, then alphabetical
    assert manifest["domain"] == INTEGRATION.name
    for key in ("codeowners", "documentation", "issue_tracker", "version", "iot_class"):
        assert manifest[key], key
    assert manifest["documentation"].startswith("https://")
    assert manifest["config_flow"] is True
    assert manifest["integration_type"] == "hub"


def test_hacs_manifest() -> None:
    hacs = json.loads((INTEGRATION.parents[1] / "hacs.json").read_text())
    allowed = {
        "name", "homeassistant", "hacs", "country", "zip_release", "filename",
        "content_in_root", "hide_default_branch", "persistent_directory", "render_readme",
    }  # fmt: skip
    assert set(hacs) <= allowed
    assert hacs["name"] == "TTLock Access"
    assert hacs["homeassistant"] == "2026.10.0"
