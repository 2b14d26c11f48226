#!/usr/bin/env bash
# Copy the scanner's camera fallback decoder from node_modules into
# app/web/static/vendor/barcode-detector/, so the service serves it itself: nothing is
# fetched from a CDN at run time (the page tells the decoder where its .wasm lives).
#
#   npm install --save-exact barcode-detector@<version>   # pins it in package.json
#   ./scripts/vendor-barcode-detector.sh                  # copies the built files
#
# Then commit the copied files. barcode-detector is a BarcodeDetector ponyfill over
# zxing-wasm (ZXing-C++ built to WebAssembly), both MIT licensed; only its ES build
# and the reader .wasm are needed. NODE_MODULES points at another node_modules folder.
set -euo pipefail
cd "$(dirname "$0")/.."
modules=${NODE_MODULES:-node_modules}
pkg=$modules/barcode-detector
zxing=$pkg/node_modules/zxing-wasm
[ -d "$zxing" ] || zxing=$modules/zxing-wasm
dest=app/web/static/vendor/barcode-detector
for f in "$pkg/dist/es/ponyfill.js" "$pkg/dist/es/zxing-exported.js" "$zxing/dist/reader/zxing_reader.wasm"; do
  [ -f "$f" ] || { echo "missing $f: run npm ci (or npm install) first" >&2; exit 1; }
done
version() { node -p 'require(require("path").resolve(process.argv[1], "package.json")).version' "$1"; }
detector_version=$(version "$pkg")
zxing_version=$(version "$zxing")

# The JS checks nothing itself: compare the .wasm with the hash the JS was built for.
wasm_sha=$(sha256sum "$zxing/dist/reader/zxing_reader.wasm" | cut -d' ' -f1)
grep -q "$wasm_sha" "$pkg/dist/es/zxing-exported.js" \
  || { echo "zxing_reader.wasm ($wasm_sha) is not the build barcode-detector expects" >&2; exit 1; }

rm -rf "$dest"
mkdir -p "$dest"
cp "$pkg/dist/es/ponyfill.js" "$pkg/dist/es/zxing-exported.js" "$zxing/dist/reader/zxing_reader.wasm" "$dest/"
cp "$pkg/LICENSE" "$dest/LICENSE.barcode-detector"
cp "$zxing/LICENSE" "$dest/LICENSE.zxing-wasm"
cat > "$dest/VERSIONS" <<VERSIONS
barcode-detector $detector_version
zxing-wasm $zxing_version
zxing_reader.wasm sha256 $wasm_sha
VERSIONS
echo "copied into $dest:" && ls -l "$dest"
