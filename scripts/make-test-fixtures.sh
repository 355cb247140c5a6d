#!/usr/bin/env bash
# Regenerates samples/fixtures/: images in formats Java cannot write itself (CMYK JPEG, WebP), made from one
# emoji of the committed sample (Noto Emoji, Apache-2.0). Needs Debian's imagemagick and webp packages.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SRC="$ROOT/samples/emoji/images/animals-nature/1f408.png"
OUT="$ROOT/samples/fixtures"
[ -f "$SRC" ] || SRC="$(find "$ROOT/samples/emoji/images/animals-nature" -name '*.png' | sort | head -n 1)"
for tool in convert cwebp; do
  command -v "$tool" >/dev/null || { echo "needs $tool: apt-get install imagemagick webp" >&2; exit 1; }
done
mkdir -p "$OUT"
TMP="$(mktemp -d)"; trap 'rm -rf "$TMP"' EXIT
convert "$SRC" -background white -flatten -resize 128x128 "$TMP/flat.png"
convert "$TMP/flat.png" -colorspace CMYK -quality 90 "$OUT/cmyk.jpg"
cwebp -quiet -q 80 "$TMP/flat.png" -o "$OUT/lossy.webp"
cwebp -quiet -lossless "$SRC" -o "$OUT/lossless.webp"
cat > "$OUT/NOTICE.md" <<NOTE
# Test fixtures (samples/fixtures)

Made by \`scripts/make-test-fixtures.sh\` from \`$(realpath --relative-to="$ROOT" "$SRC")\`, an image of
Google's Noto Emoji (Apache License 2.0, see ../emoji/LICENSE-APACHE-2.0 and ../emoji/NOTICE.md), converted
to formats that Java's ImageIO cannot write: a CMYK JPEG, a lossy WebP and a lossless WebP.
NOTE
ls -l "$OUT"
