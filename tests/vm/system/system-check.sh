#!/bin/sh
# make system-check: the installed product on a real kernel under systemd.
# Boots trixie's kernel under qemu with a debootstrapped trixie root file
# system (systemd as PID 1, dbus, udev, journald) unpacked from an initramfs,
# in which lanesight-system-check.service installs the .debs (lanesight and
# lanesight-models) and checks them (tests/vm/system/guest/guest.sh). See
# docs/system-check.md.
#
#   tests/vm/system/system-check.sh --deb FILE [--deb FILE]... [--cache DIR] [--out DIR]
#                                   [--timeout S] [--debug] [--add FILE]...
#                                   [--guest SCRIPT]
#
# --add FILE puts FILE in the guest's /usr/local/lib/lanesight-system-check/
# (the test's inputs: the demo clip as raw frames, the portraits); --guest
# runs SCRIPT there instead of guest/guest.sh (to explore by hand).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
vm=$(dirname "$here")
cache=build/vm; out=""; debs=""; tmo=900; append=""; adds=""; guest=$here/guest/guest.sh
while [ $# -gt 0 ]; do
        case "$1" in
        --deb) [ -f "$2" ] || { echo "system-check: no package '$2' (make deb)" >&2; exit 2; }
               debs="$debs $2"; shift 2 ;;
        --cache) cache=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --timeout) tmo=$2; shift 2 ;;
        --debug) append="systemd.show_status=1"; shift ;;
        --add) [ -f "$2" ] || { echo "system-check: no file '$2'" >&2; exit 2; }
               adds="$adds $2"; shift 2 ;;
        --guest) guest=$2; shift 2 ;;
        *) echo "system-check: unknown option '$1'" >&2; exit 2 ;;
        esac
done
[ -n "$debs" ] || { echo "system-check: --deb FILE is required (make deb)" >&2; exit 2; }
# The service depends on its models: the guest installs both in one dpkg -i.
case "$debs" in *lanesight-models_*) ;; *) echo "system-check: no lanesight-models .deb given" >&2; exit 2 ;; esac
out=${out:-$cache/system-check}
mkdir -p "$cache" "$out"

# Kernel (shared with vm-check) and root file system, once; one writer at a time.
exec 9>"$cache/.lock"
flock 9
sh "$vm/fetch.sh" "$cache"
sh "$here/mkrootfs.sh" "$cache"
kdir=$cache/kernel
kver=$(cat "$kdir/version")
base=$cache/system/base.cpio.gz
inputs="kernel=$kver rootfs=$(md5sum <"$cache/system/rootfs.done" | cut -c1-32)"
if [ ! -s "$base" ] || [ "$(cat "$cache/system/base.inputs" 2>/dev/null)" != "$inputs" ]; then
        echo "system-check: building $base (root file system + kernel modules)" >&2
        stage=$cache/system/modules
        rm -rf "$stage" && mkdir -p "$stage/usr/lib/modules"
        cp -a "$kdir/root/lib/modules/$kver" "$stage/usr/lib/modules/"
        { (cd "$cache/system/rootfs" && find . -path ./proc -prune -o -path ./sys -prune -o -print | \
                cpio -o -H newc --quiet)
          (cd "$stage" && find . | cpio -o -H newc --quiet); } | gzip -1 >"$base.tmp"
        mv "$base.tmp" "$base"
        echo "$inputs" >"$cache/system/base.inputs"
fi
flock -u 9
exec 9>&-

# The per-run payload: the .debs, the guest test and its unit (enabled).
p=$out/payload
rm -rf "$p" && mkdir -p "$p/pkg" "$p/usr/local/lib/lanesight-system-check" \
        "$p/etc/systemd/system/multi-user.target.wants"
for deb in $debs; do cp "$deb" "$p/pkg/"; done
cp "$guest" "$p/usr/local/lib/lanesight-system-check/guest.sh"
for f in $adds; do cp "$f" "$p/usr/local/lib/lanesight-system-check/"; done
cp "$here/guest/lanesight-system-check.service" "$p/etc/systemd/system/"
ln -s ../lanesight-system-check.service "$p/etc/systemd/system/multi-user.target.wants/"
(cd "$p" && find . | cpio -o -H newc --quiet | gzip -1) >"$out/payload.cpio.gz"

exec sh "$vm/run.sh" --kernel "$kdir" --initrd "$base" --initrd "$out/payload.cpio.gz" \
        --test system --out "$out/results" --timeout "$tmo" --mem 3G \
        --append "rdinit=/lib/systemd/systemd systemd.unit=multi-user.target $append"
