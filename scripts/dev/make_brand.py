"""Draw the integration's brand icon (a padlock with a keypad) as PNG, with no dependencies.

Run: python3 scripts/dev/make_brand.py  (writes custom_components/ttlock_access/brand/*.png)
"""

from __future__ import annotations

import math
from pathlib import Path
import struct
import zlib

BLUE = (3, 169, 244, 255)
WHITE = (255, 255, 255, 255)
CLEAR = (0, 0, 0, 0)


def _inside_rounded_rect(
    x: float, y: float, box: tuple[float, float, float, float], r: float
) -> bool:
    left, top, right, bottom = box
    if not (left <= x <= right and top <= y <= bottom):
        return False
    cx = min(max(x, left + r), right - r)
    cy = min(max(y, top + r), bottom - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def pixel(x: float, y: float) -> tuple[int, int, int, int]:
    """Colour at a point of the 1x1 unit square."""
    body = (0.16, 0.44, 0.84, 0.96)
    # Shackle: a thick arc above the body.
    dist = math.hypot(x - 0.5, y - 0.44)
    if y <= 0.46 and 0.19 <= dist <= 0.29:
        return BLUE
    if _inside_rounded_rect(x, y, body, 0.08):
        # Keypad: a 3x3 grid of white dots.
        for row in range(3):
            for col in range(3):
                if math.hypot(x - (0.34 + 0.16 * col), y - (0.57 + 0.12 * row)) <= 0.045:
                    return WHITE
        return BLUE
    return CLEAR


def png(size: int) -> bytes:
    """Encode the icon at size x size with 2x2 supersampling."""
    rows = bytearray()
    for j in range(size):
        rows.append(0)
        for i in range(size):
            samples = [
                pixel((i + dx) / size, (j + dy) / size)
                for dx in (0.25, 0.75)
                for dy in (0.25, 0.75)
            ]
            rows.extend(sum(s[k] for s in samples) // 4 for k in range(4))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


if __name__ == "__main__":
    out = Path(__file__).resolve().parents[2] / "custom_components/ttlock_access/brand"
    out.mkdir(parents=True, exist_ok=True)
    (out / "icon.png").write_bytes(png(256))
    (out / "icon@2x.png").write_bytes(png(512))
