#!/bin/sh
# Install onnxruntime-node (the oracle of the golden tests and the peer of the
# benchmarks) and the image decoders, pinned by tests/golden/package-lock.json,
# into ORT_DIR (default build/ort). Quiet when already installed. Never
# committed: build/ is ignored.
#
#   tests/golden/ort-install.sh [DIR]      prints nothing on success
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-${ORT_DIR:-build/ort}}
prog=${0##*/}

if [ -d "$dir/node_modules/onnxruntime-node" ] && cmp -s "$here/package-lock.json" "$dir/package-lock.json"; then
        exit 0
fi
for t in node npm; do
        command -v $t >/dev/null 2>&1 || {
                echo "$prog: '$t' not found: install Node.js and npm (packaging/deps.sh check)" >&2
                exit 1
        }
done
mkdir -p "$dir"
cp "$here/package.json" "$here/package-lock.json" "$dir/"
echo "  NPM     onnxruntime-node into $dir"
# --ignore-scripts: onnxruntime-node's install script only downloads CUDA
# providers (from outside the npm registry); the CPU binaries are in the package.
if ! (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error </dev/null >/dev/null); then
        rm -f "$dir/package-lock.json"
        echo "$prog: 'npm ci' failed in $dir: the npm registry must be reachable once" >&2
        exit 1
fi
# The package carries binaries for every platform (~290 MB); keep ours.
plat=$(node -p 'process.platform + "/" + process.arch')
for d in "$dir"/node_modules/onnxruntime-node/bin/napi-v*/*/*; do
        case "$d" in */"$plat") ;; *) rm -rf "$d" ;; esac
done
node -e 'require(process.argv[1])' "$(cd "$dir" && pwd)/node_modules/onnxruntime-node" || {
        echo "$prog: onnxruntime-node does not load on this machine" >&2
        exit 1
}
