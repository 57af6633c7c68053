#!/usr/bin/python3
"""Writes brightness.json: what torchvision's ColorJitter(brightness) does to a PIL image.

Run with Debian's interpreter (python3-pil):
    /usr/bin/python3 src/test/resources/reference/generate_brightness.py

torchvision's adjust_brightness on a PIL image is ImageEnhance.Brightness(img).enhance(factor),
a blend with a black image in PIL's C code, which truncates to whole grey levels and clips.
Every grey level 0..255 is checked at a darkening, a neutral and two brightening factors (PyCIL's
b = 63/255 allows 0.753..1.247).
"""
import json
import os

import numpy as np
from PIL import Image, ImageEnhance

LEVELS = np.arange(256, dtype=np.uint8).reshape(16, 16)
FACTORS = [0.7530, 1.0, 1.1, 1.2470]

cases = []
for factor in FACTORS:
    rgb = np.stack([LEVELS, 255 - LEVELS, LEVELS[::-1]], axis=-1)
    out = np.array(ImageEnhance.Brightness(Image.fromarray(rgb)).enhance(factor))
    cases.append({"factor": factor, "input": rgb.reshape(-1).tolist(), "expected": out.reshape(-1).tolist()})

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "brightness.json"), "w") as f:
    json.dump({"height": 16, "width": 16, "channels": 3, "cases": cases}, f)
