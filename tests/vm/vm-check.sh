#!/bin/sh
# make vm-check: lanesight's capture programs against the vivid driver of a
# Debian trixie kernel booted under qemu (TCG).
#
#   tests/vm/vm-check.sh [--cache DIR] [--out DIR] [--timeout SECONDS] [--test NAME]
#                        [--program PATH]... [--debug]
#
# 1. tests/vm/fetch.sh: trixie kernel + udev into DIR (default build/vm), once.
# 2. DIR/base.cpio.gz: busybox, v4l-utils, udevd, the kernel modules the guest
#    test needs; rebuilt only when one of its inputs is newer.
# 3. OUT/payload-NAME.cpio.gz: the lanesight programs (--program, installed as
#    /usr/bin/<name> with their shared libraries) and tests/vm/guest/ as
#    /tests; rebuilt every run (small).
# 4. tests/vm/run.sh boots kernel + base + payload and runs /tests/NAME.sh;
#    logs in OUT/results/NAME/. OUT (default: the cache) is per build tree, so
#    runs from two build trees can share one download cache.
# Ends with "N passed, N failed, N skipped"; non-zero exit on any failure.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cache=build/vm; out=""; tmo=600; test=vivid; programs=""; append=""
while [ $# -gt 0 ]; do
        case "$1" in
        --cache) cache=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --timeout) tmo=$2; shift 2 ;;
        --test) test=$2; shift 2 ;;
        --program) programs="$programs $2"; shift 2 ;;
        --debug) append="lanesight.debug=1"; shift ;;
        *) echo "vm-check: unknown option '$1'" >&2; exit 2 ;;
        esac
done

# Kernel modules and host programs each guest test needs.
out=${out:-$cache}

case "$test" in
vivid) modules="vivid" ;;
*) modules="" ;;
esac
host_bins="/usr/bin/v4l2-ctl /usr/bin/v4l2-compliance /usr/bin/jq"

# Downloads and the base archive are shared by every build tree: one writer at a time.
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
sh "$here/fetch.sh" "$cache"

kdir=$cache/kernel
udev=$cache/udev/root
base=$cache/base.cpio.gz
stamp=$cache/base.inputs
inputs="modules=$modules bins=$host_bins kernel=$(cat "$kdir/version") udev=$(cat "$cache/udev/version")"
if [ ! -s "$base" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$inputs" ] ||
   [ -n "$(find "$here/mkinitramfs.sh" "$here/guest/init" $host_bins -newer "$base" 2>/dev/null)" ]; then
        echo "vm-check: building $base" >&2
        margs=""
        for m in $modules; do margs="$margs --module $m"; done
        for b in $host_bins; do margs="$margs --bin $b"; done
        sh "$here/mkinitramfs.sh" --out "$base" --base --kernel "$kdir" $margs \
                --bin "$udev/bin/udevadm=/usr/bin/udevadm" \
                --bin "$udev/lib/udev/v4l_id=/usr/lib/udev/v4l_id" \
                --tree "$udev/lib/udev/rules.d=/usr/lib/udev/rules.d" \
                --link /usr/bin/udevadm=/usr/lib/systemd/systemd-udevd
        echo "$inputs" >"$stamp"
fi

flock -u 9
exec 9>&-

payload=$out/payload-$test.cpio.gz
pargs=""
for p in $programs; do
        [ -x "$p" ] || { echo "vm-check: program '$p' is missing" >&2; exit 1; }
        pargs="$pargs --bin $p=/usr/bin/$(basename "$p")"
done
sh "$here/mkinitramfs.sh" --out "$payload" --tree "$here/guest=/tests" $pargs

exec sh "$here/run.sh" --kernel "$kdir" --initrd "$base" --initrd "$payload" \
        --test "$test" --out "$out/results/$test" --timeout "$tmo" --append "$append"
