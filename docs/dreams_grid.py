#!/usr/bin/python3
"""Lays out a synthetic download (GET .../phases/{i}/synthetic) as one PNG: a row per predicted class.

    /usr/bin/python3 docs/dreams_grid.py <experiment>-phase3-synthetic.zip docs/abd-dreams-mnist.png [scale]

The input may also be a phase state's dreams.bin (what LocalRun and the bench leave on disk).
"""
import io
import json
import struct
import sys
import zipfile

from PIL import Image, ImageDraw

archive, target = sys.argv[1], sys.argv[2]
scale = int(sys.argv[3]) if len(sys.argv) > 3 else 3
rows = {}
if archive.endswith(".bin"):
    # ExemplarSet.write: magic, n, h, w, c (int32 big-endian), storage byte, (label, source, kind) per image, uint8 HWC pixels
    data = open(archive, "rb").read()
    _, n, height, width, channels = struct.unpack(">5i", data[:20])
    offset = 21
    labels = []
    for i in range(n):
        labels.append(struct.unpack(">i", data[offset:offset + 4])[0])
        offset += 9
    size = height * width * channels
    for i, label in enumerate(labels):
        pixels = data[offset + i * size: offset + (i + 1) * size]
        mode = "L" if channels == 1 else "RGB"
        rows.setdefault(label, []).append(Image.frombytes(mode, (width, height), pixels))
    manifest = {"height": height, "width": width, "channels": channels, "images": labels, "phase": "?"}
else:
    with zipfile.ZipFile(archive) as z:
        manifest = json.loads(z.read("manifest.json"))
        for image in manifest["images"]:
            rows.setdefault(image["label"], []).append(
                Image.open(io.BytesIO(z.read(image["file"]))).convert("L" if manifest["channels"] == 1 else "RGB"))
h, w = manifest["height"] * scale, manifest["width"] * scale
columns = max(len(r) for r in rows.values())
label_width = 28
grid = Image.new("RGB", (label_width + columns * (w + 2), len(rows) * (h + 2)), "white")
draw = ImageDraw.Draw(grid)
for r, label in enumerate(sorted(rows)):
    draw.text((4, r * (h + 2) + h // 2 - 5), str(label), fill="black")
    for c, image in enumerate(rows[label]):
        grid.paste(image.resize((w, h), Image.NEAREST).convert("RGB"), (label_width + c * (w + 2), r * (h + 2)))
grid.save(target)
print("wrote", target, "from", len(manifest["images"]), "dreams of phase", manifest["phase"])
