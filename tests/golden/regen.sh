#!/bin/sh
# Regenerate the golden tensors (tests/golden/data/) with onnxruntime-node.
# Needs npm, the npm registry and Debian's apt mirror once:
#   tests/golden/regen.sh [--models DIR]
# Installs onnxruntime-node into build/ort (tests/golden/ort-install.sh),
# fetches the models (models/fetch.sh), extracts two public-domain portraits
# from Debian packages (facedetect: Grace Hopper; python3-skimage: Eileen
# Collins) into build/golden-src, and runs tests/golden/regen.js. Review the
# diff and the printed spreads before committing tests/golden/data/.
set -eu
cd "$(dirname "$0")/../.."
models=${MODELS_DIR:-build/models}
[ "${1:-}" = "--models" ] && models=$2
src=build/golden-src

tests/golden/ort-install.sh
models/fetch.sh --dir "$models"

mkdir -p "$src"
for pkg in facedetect python3-skimage; do
        if ! ls "$src"/${pkg}_*.deb >/dev/null 2>&1; then
                (cd "$src" && apt-get download "$pkg" >/dev/null) || {
                        echo "regen.sh: 'apt-get download $pkg' failed (run 'apt-get update' first?)" >&2
                        exit 1
                }
        fi
        dpkg -x "$src"/${pkg}_*.deb "$src/root"
done
node tests/golden/regen.js --models "$models" --images "$src/root" --out tests/golden/data
du -sh tests/golden/data
