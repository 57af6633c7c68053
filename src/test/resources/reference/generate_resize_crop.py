#!/usr/bin/python3
"""Writes resize_crop_*.png: torchvision's evaluation crop, Resize(256) + CenterCrop(224), of fixed images.

Run with Debian's interpreter (python3-pil, python3-numpy):
    /usr/bin/python3 src/test/resources/reference/generate_resize_crop.py

torchvision is not packaged there; on a PIL image its Resize(256) is img.resize((w', h'), BILINEAR) with
the shorter side 256 and the longer int(256 * long / short), and CenterCrop(224) crops at
top = int(round((h' - 224) / 2)), left = int(round((w' - 224) / 2)) (transforms.functional in 0.15),
which is what this script does. Two inputs: a landscape image smaller than 256 on its shorter side (the
resize enlarges it, where PIL's bilinear filter is plain bilinear interpolation) and a portrait image
larger than 256 (the resize shrinks it, where PIL widens the filter to antialias).
"""
import os

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))


def pattern(width, height):
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    red = 128 + 100 * np.sin(2 * np.pi * x / 53) * np.cos(2 * np.pi * y / 71)
    green = 255 * x / (width - 1)
    blue = 255 * y / (height - 1)
    return Image.fromarray(np.clip(np.stack([red, green, blue], -1).round(), 0, 255).astype(np.uint8))


def resize_center_crop(image, size=256, crop=224):
    w, h = image.size
    if w <= h:
        new_w, new_h = size, int(size * h / w)
    else:
        new_w, new_h = int(size * w / h), size
    resized = image.resize((new_w, new_h), Image.BILINEAR)
    top = int(round((new_h - crop) / 2.0))
    left = int(round((new_w - crop) / 2.0))
    return resized.crop((left, top, left + crop, top + crop))


for name, (width, height) in {"enlarged": (320, 240), "shrunk": (300, 420)}.items():
    image = pattern(width, height)
    image.save(os.path.join(HERE, f"resize_crop_{name}_input.png"))
    resize_center_crop(image).save(os.path.join(HERE, f"resize_crop_{name}_expected.png"))
