#!/usr/bin/env bash
# Regenerates samples/emoji/: a small, deterministic, real-image sample for Fovea
# (9 classes = emoji categories, 64x64 PNGs from Google's Noto Emoji).
#
# Source: npm package emoji-datasource-google (pinned below). Package data/code is
# MIT (its LICENSE file, copied to samples/emoji/LICENSE); the Google/Noto images
# are Apache-2.0 (see samples/emoji/NOTICE.md and samples/emoji/LICENSE-APACHE-2.0).
#
# Selection: per category (skipping "Component"), entries with has_img_google=true,
# sorted by sort_order (ties by image name); PER_CATEGORY of them picked evenly
# spread over the category: index floor(i * n / PER_CATEGORY), i = 0..PER_CATEGORY-1.
#
# Usage: scripts/make-emoji-sample.sh            (needs npm + node; registry access)
#        PER_CATEGORY=40 scripts/make-emoji-sample.sh
set -euo pipefail

PKG=emoji-datasource-google
VERSION=16.0.0
SHASUM=a80ac3e8106cbd4d8648ce758aa099e8827b6157   # npm dist.shasum (sha1 of the tarball)
PER_CATEGORY=${PER_CATEGORY:-60}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEST="$ROOT/samples/emoji"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

(cd "$WORK" && npm pack --silent "$PKG@$VERSION" >/dev/null)
TGZ="$WORK/$PKG-$VERSION.tgz"
echo "$SHASUM  $TGZ" | sha1sum -c --quiet -
tar -xzf "$TGZ" -C "$WORK"
SRC="$WORK/package"

mkdir -p "$DEST"
# Only the images (one folder per class under images/) are replaced; NOTICE.md/LICENSE are rewritten below.
rm -rf "${DEST:?}/images"

SRC="$SRC" DEST="$DEST/images" PER_CATEGORY="$PER_CATEGORY" node -e '
const fs = require("fs"), path = require("path");
const { SRC, DEST } = process.env, per = parseInt(process.env.PER_CATEGORY, 10);
const folders = {
  "Smileys & Emotion": "smileys-emotion", "People & Body": "people-body",
  "Animals & Nature": "animals-nature", "Food & Drink": "food-drink",
  "Travel & Places": "travel-places", "Activities": "activities",
  "Objects": "objects", "Symbols": "symbols", "Flags": "flags",
};
const data = JSON.parse(fs.readFileSync(path.join(SRC, "emoji.json"), "utf8"));
const byCat = {};
for (const e of data) {
  if (e.category === "Component" || !e.has_img_google) continue;
  if (!(e.category in folders)) throw new Error("unexpected category: " + e.category);
  (byCat[e.category] = byCat[e.category] || []).push(e);
}
for (const [cat, folder] of Object.entries(folders)) {
  const list = (byCat[cat] || []).sort((a, b) =>
    a.sort_order - b.sort_order || (a.image < b.image ? -1 : a.image > b.image ? 1 : 0));
  const m = Math.min(per, list.length);
  if (m < 40) throw new Error(cat + ": only " + m + " images");
  const out = path.join(DEST, folder);
  fs.mkdirSync(out, { recursive: true });
  for (let i = 0; i < m; i++) {
    const e = list[Math.floor(i * list.length / m)];
    fs.copyFileSync(path.join(SRC, "img/google/64", e.image), path.join(out, e.image));
  }
  console.log(folder + ": " + m + " of " + list.length);
}
'

cp "$SRC/LICENSE" "$DEST/LICENSE"

cat > "$DEST/NOTICE.md" <<EOF
# Emoji sample (samples/emoji)

A small real-image sample for Fovea: 9 classes (one folder per emoji category, under `images/`),
up to $PER_CATEGORY 64x64 PNG images each, file names as in the source package.

- **Source:** npm package \`$PKG\` version **$VERSION**
  (<https://www.npmjs.com/package/$PKG>, <https://github.com/iamcal/emoji-data>),
  files \`img/google/64/*.png\` selected via \`emoji.json\`.
- **Images:** Google's Noto Emoji (<https://github.com/googlefonts/noto-emoji>),
  distributed via emoji-datasource-google. The images are licensed under the
  **Apache License 2.0** (as stated in the package README); full text in
  [LICENSE-APACHE-2.0](LICENSE-APACHE-2.0). The images are unmodified.
- **Package licence:** the package itself (data, code) is MIT, Copyright (c) 2013
  Cal Henderson; its \`LICENSE\` file is copied verbatim to [LICENSE](LICENSE).
- **Folders / classes:** smileys-emotion, people-body, animals-nature, food-drink,
  travel-places, activities, objects, symbols, flags (the "Component" category is
  skipped).
- **Selection:** per category, entries with \`has_img_google: true\`, sorted by
  \`sort_order\`, then $PER_CATEGORY picked evenly spread over the category.

Regenerate with \`scripts/make-emoji-sample.sh\` (needs node + npm registry access).
EOF

echo "wrote $DEST ($(du -sh "$DEST" | cut -f1))"
