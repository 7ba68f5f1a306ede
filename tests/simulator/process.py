"""Running ``python -m simulator`` as a process, as a user does, for the simulator tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
import json
from pathlib import Path
import socket
import subprocess
import sys
import time
from typing import Any
import urllib.parse
import urllib.request

REPO = Path(__file__).parents[2]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def get_json(url: str) -> Any:
    """GET ``url``; its JSON answer."""
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


def post_form(url: str, form: dict[str, str]) -> Any:
    """POST form fields to ``url``; its JSON answer."""
    body = urllib.parse.urlencode(form).encode()
    with urllib.request.urlopen(url, data=body, timeout=5) as response:
        return json.load(response)


@contextmanager
def run_simulator(*args: str, banner_lines: int = 1) -> Iterator[tuple[str, str]]:
    """Run ``python -m simulator ARGS`` on a free port until the block ends (SIGTERM).

    Yields its URL, once it answers, and the first ``banner_lines`` lines it printed.
    """
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "simulator", "--port", str(port), *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = "".join(process.stdout.readline() for _ in range(banner_lines))
        assert f":{port}" in banner
        url = f"http://127.0.0.1:{port}"
        for _ in range(50):  # the banner comes just before the socket is bound
            try:
                get_json(url + "/_sim/stats")
                break
            except OSError:
                time.sleep(0.1)
        yield url, banner
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
        if process.stdout is not None:
            process.stdout.close()
