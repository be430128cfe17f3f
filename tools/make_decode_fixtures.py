#!/usr/bin/env python3
"""Writes the small JPEG fixtures of ImageDecoderTest that Java's ImageIO cannot write itself: a CMYK JPEG (Adobe
APP14, as Photoshop saves them) and a JPEG whose EXIF orientation tag says "rotate 90 degrees clockwise" (6).

Usage: /usr/bin/python3 tools/make_decode_fixtures.py src/test/resources/io/distill4j/data/decode
Needs Pillow (python3-pil). The pictures: 8 wide, 4 high; left half red, right half blue (before orientation)."""
import sys
from pathlib import Path

from PIL import Image

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
img = Image.new("RGB", (8, 4))
for y in range(4):
    for x in range(8):
        img.putpixel((x, y), (230, 20, 20) if x < 4 else (20, 20, 230))
img.convert("CMYK").save(out / "cmyk.jpg", quality=95)
exif = Image.Exif()
exif[0x0112] = 6
img.save(out / "exif-rotate-90.jpg", quality=95, exif=exif.tobytes())
