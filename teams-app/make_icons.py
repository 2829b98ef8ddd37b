#!/usr/bin/env python3
"""Draw the Teams app icons once (standard library only); the PNGs are committed.

color.png   192x192, opaque: a white padlock-with-clock-hand on jitadmin blue.
outline.png  32x32, white on transparent (Teams' rule for the outline icon).

Run: python3 teams-app/make_icons.py   (rewrites both files)
"""

import struct
import zlib
from pathlib import Path

BLUE = (0x1F, 0x5F, 0xBF, 255)
WHITE = (255, 255, 255, 255)
CLEAR = (0, 0, 0, 0)


def png(width, height, pixel):
    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height)
    )

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def padlock(x, y, size):
    """True where the padlock glyph is, in a size x size box (coordinates scaled from 32)."""
    u, v = (x + 0.5) * 32 / size, (y + 0.5) * 32 / size
    # shackle: a ring (outer r 7, inner r 4.5) centred at (16, 13), upper half only
    d = ((u - 16) ** 2 + (v - 13) ** 2) ** 0.5
    shackle = 4.5 <= d <= 7 and v <= 15
    shackle_legs = (9 <= u <= 11.5 or 20.5 <= u <= 23) and 13 <= v <= 16
    body = 6 <= u <= 26 and 15 <= v <= 28
    # keyhole cut out of the body
    keyhole = ((u - 16) ** 2 + (v - 20.5) ** 2) <= 2.2 ** 2 or (15 <= u <= 17 and 20.5 <= v <= 25)
    return shackle or shackle_legs or (body and not keyhole)


def color(x, y):
    """Full-bleed blue tile (Teams rounds the corners itself), glyph at 60 % in the centre."""
    size = 192
    g = int(size * 0.6)
    off = (size - g) // 2
    if off <= x < off + g and off <= y < off + g and padlock(x - off, y - off, g):
        return WHITE
    return BLUE


def outline(x, y):
    return WHITE if padlock(x, y, 32) else CLEAR


here = Path(__file__).resolve().parent
(here / "color.png").write_bytes(png(192, 192, color))
(here / "outline.png").write_bytes(png(32, 32, outline))
print("wrote", here / "color.png", here / "outline.png")
