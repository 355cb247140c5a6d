#!/usr/bin/python3
"""Regenerates fovea-core/src/test/resources/resize/: Pillow's own resize results, for AntialiasedResizeTest to
match bit for bit.

NOTICE: regenerate with Debian's Python (it has PIL 9.4, numpy and torchvision 0.14; the python3 first on PATH
may not):
  /usr/bin/python3 scripts/make-resize-fixtures.py

Inputs (written to the folder as they are used):
  emoji-1f347.png, emoji-1f47d.png   copies of two 64x64 RGBA images of samples/emoji (Google's Noto Emoji,
                                     Apache License 2.0: see samples/emoji/NOTICE.md and LICENSE-APACHE-2.0)
  NOTICE.md                          where the files come from (licence of the emoji copies)
  pattern.png                        a 97x61 RGB test pattern this script draws: 1-pixel checkerboard, wrapping
                                     ramps and thin lines, the worst case for aliasing and for rounding
Expected outputs, NAME-to-WxH.png: PIL's img.convert('RGB').resize((w, h), Image.BILINEAR), which is what
torchvision.transforms.Resize((h, w)) does to a PIL image (checked below). The emoji are first painted on white
as Fovea does, with the integer formula (c * a + 255 * (255 - a) + 127) // 255 (exact rounding of
c * a / 255 + 255 - a; Java2D's drawImage on white gives the same), since convert('RGB') alone would drop alpha.
"""
import os
import shutil

import numpy as np
import torch  # noqa: F401  (torchvision needs it imported first on some builds)
import torchvision.transforms as T
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fovea-core", "src", "test", "resources", "resize")
EMOJI = os.path.join(ROOT, "samples", "emoji", "images")

# (input name, output sizes): strong and non-square downscales, upscales, one axis only, up in x and down in y
CASES = [
    ("emoji-1f347", [(24, 24), (7, 9)]),
    ("emoji-1f47d", [(32, 32), (100, 75)]),
    ("pattern", [(37, 23), (130, 90), (97, 30), (50, 61), (150, 40)]),
]


def pattern():
    y, x = np.mgrid[0:61, 0:97]
    r = np.where((x + y) % 2 == 0, 255, 0)
    g = (x * 37 + y * 11) % 256
    b = np.where((x // 3 + y // 2) % 2 == 0, 230, 20)
    b[:, 40] = 0
    r[30, :] = 128
    g[::7, ::5] = 255 - g[::7, ::5]
    return Image.fromarray(np.dstack([r, g, b]).astype(np.uint8), "RGB")


def on_white(img):
    rgba = np.asarray(img.convert("RGBA")).astype(np.int64)
    a = rgba[..., 3:4]
    rgb = (rgba[..., :3] * a + 255 * (255 - a) + 127) // 255
    return Image.fromarray(rgb.astype(np.uint8), "RGB")


def main():
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        if old.endswith(".png"):
            os.remove(os.path.join(OUT, old))
    shutil.copyfile(os.path.join(EMOJI, "food-drink", "1f347.png"), os.path.join(OUT, "emoji-1f347.png"))
    shutil.copyfile(os.path.join(EMOJI, "smileys-emotion", "1f47d.png"), os.path.join(OUT, "emoji-1f47d.png"))
    pattern().save(os.path.join(OUT, "pattern.png"), optimize=True)
    for name, sizes in CASES:
        src = on_white(Image.open(os.path.join(OUT, name + ".png")))
        for w, h in sizes:
            out = src.convert("RGB").resize((w, h), Image.BILINEAR)
            tv = T.Resize((h, w), interpolation=T.InterpolationMode.BILINEAR)(src)
            assert np.array_equal(np.asarray(out), np.asarray(tv)), (name, w, h)
            out.save(os.path.join(OUT, "%s-to-%dx%d.png" % (name, w, h)), optimize=True)
    with open(os.path.join(OUT, "NOTICE.md"), "w") as f:
        f.write("# Resize fixtures\n\nMade by `scripts/make-resize-fixtures.py` (regenerate with\n"
                "`/usr/bin/python3 scripts/make-resize-fixtures.py`): Pillow 9.4's bilinear resize results for\n"
                "AntialiasedResizeTest. emoji-1f347.png and emoji-1f47d.png are unmodified copies of\n"
                "samples/emoji/images/food-drink/1f347.png and smileys-emotion/1f47d.png, Google's Noto Emoji\n"
                "(Apache License 2.0, see samples/emoji/LICENSE-APACHE-2.0 and samples/emoji/NOTICE.md); the\n"
                "emoji-* outputs are made from them. pattern.png is drawn by the script.\n")
    total = 0
    for f in sorted(os.listdir(OUT)):
        size = os.path.getsize(os.path.join(OUT, f))
        total += size
        print("%7d  %s" % (size, f))
    print("%7d  in all" % total)


if __name__ == "__main__":
    main()
