#!/usr/bin/env python3
"""Draw static/description/icon.png (256x256): a stock box with a sync badge.

Needs Pillow (it is in the virtual environment of scripts/devenv.py):
    ~/.cache/otd_marketplace_stock/venv-*/bin/python scripts/draw_icon.py
"""
import math
from pathlib import Path

from PIL import Image, ImageDraw

S = 1024  # drawn at 4x, scaled down for smooth edges
img = Image.new("RGBA", (S, S), (0, 0, 0, 0))
d = ImageDraw.Draw(img)

# a box (isometric cube)
cx, cy, r = 430, 470, 360
c30 = math.cos(math.radians(30))
top = (cx, cy - r)
ur = (cx + r * c30, cy - r / 2)
lr = (cx + r * c30, cy + r / 2)
bottom = (cx, cy + r)
ll = (cx - r * c30, cy + r / 2)
ul = (cx - r * c30, cy - r / 2)
center = (cx, cy)
d.polygon([top, ur, center, ul], fill=(76, 200, 188, 255))     # lid
d.polygon([ul, center, bottom, ll], fill=(28, 158, 147, 255))  # left side
d.polygon([center, ur, lr, bottom], fill=(17, 117, 109, 255))  # right side
# packing tape across the lid and down the front edge
def lerp(a, b, t):
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)
w = 0.09
d.polygon([lerp(ul, top, 0.5 - w), lerp(ul, top, 0.5 + w), lerp(center, ur, 0.5 + w), lerp(center, ur, 0.5 - w)],
          fill=(236, 246, 244, 255))
d.polygon([lerp(center, ur, 0.5 - w), lerp(center, ur, 0.5 + w),
           lerp(lerp(center, ur, 0.5 + w), lerp(bottom, lr, 0.5 + w), 0.35),
           lerp(lerp(center, ur, 0.5 - w), lerp(bottom, lr, 0.5 - w), 0.35)], fill=(205, 230, 226, 255))

# sync badge: clear a ring around it, then an orange disc with two white arrows
bx, by, br = 735, 735, 235
gap = 34
d.ellipse([bx - br - gap, by - br - gap, bx + br + gap, by + br + gap], fill=(0, 0, 0, 0))
d.ellipse([bx - br, by - br, bx + br, by + br], fill=(245, 140, 52, 255))
R, width = 140, 46
white = (255, 255, 255, 255)
for start, end in ((200, 330), (20, 150)):
    d.arc([bx - R, by - R, bx + R, by + R], start, end, fill=white, width=width)
    theta = math.radians(end)
    # arrow head at the end of the arc, pointing along it (clockwise on screen)
    mid = R - width / 2
    p = (bx + mid * math.cos(theta), by + mid * math.sin(theta))
    t = (-math.sin(theta), math.cos(theta))
    n = (math.cos(theta), math.sin(theta))
    head, half = 95, 72
    tip = (p[0] + t[0] * head, p[1] + t[1] * head)
    a = (p[0] + n[0] * half, p[1] + n[1] * half)
    b = (p[0] - n[0] * half, p[1] - n[1] * half)
    d.polygon([tip, a, b], fill=white)

icon = Path(__file__).resolve().parent.parent / "static" / "description" / "icon.png"
img.resize((256, 256), Image.LANCZOS).save(icon, optimize=True)
