#!/bin/sh
# Build (once) the Debian trixie root file system of the system-check guest
# with debootstrap: systemd as PID 1, dbus, udev, journald, kmod, and the
# libraries lanesight links against, so that the guest only has to dpkg -i
# the freshly built .deb.
#
#   tests/vm/system/mkrootfs.sh [CACHE]      (default CACHE: build/vm)
#
# Result: CACHE/system/rootfs/ and CACHE/system/rootfs.done (the package list).
# A second run with rootfs.done present does nothing. VM_MIRROR overrides
# the mirror (default: the one this machine's apt uses, as tests/vm/fetch.sh).
set -eu

cache=${1:-build/vm}
dir=$cache/system
root=$dir/rootfs
suite=${VM_SUITE:-trixie}
say() { echo "system-rootfs: $*" >&2; }

[ -f "$dir/rootfs.done" ] && [ -x "$root/lib/systemd/systemd" ] && exit 0
[ "$(id -u)" -eq 0 ] || { say "debootstrap needs root"; exit 1; }

mirror=${VM_MIRROR:-$(sed -n 's/^[[:space:]]*URIs:[[:space:]]*\(http[^[:space:]]*\/debian\/\{0,1\}\)$/\1/p' \
        /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)}
mirror=${mirror:-http://deb.debian.org/debian}

# Run time of lanesightd and lanesightctl (their shared libraries), the
# system pieces the test exercises, and the tools it uses.
pkgs=systemd,systemd-sysv,dbus,udev,kmod,procps,v4l-utils,jq
pkgs=$pkgs,libsystemd0,libv4l-0t64,libv4lconvert0t64,libdrm2,libvulkan1,mesa-vulkan-drivers
pkgs=$pkgs,ocl-icd-libopencl1,libprotobuf-c1,libjpeg62-turbo,libpng16-16t64,libopenjp2-7,libinih1

# Never delete through a mount left by an interrupted debootstrap (/proc, /sys).
if [ -d "$root" ] && grep -q " $(cd "$root" && pwd)/" /proc/mounts; then
        say "$root has mounts below it (interrupted debootstrap?): unmount them first"; exit 1
fi
rm -rf "$root" "$dir/rootfs.done"
mkdir -p "$dir"
say "debootstrap $suite from $mirror into $root (once; several minutes)"
debootstrap --variant=minbase --include="$pkgs" \
        --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
        "$suite" "$root" "$mirror" >"$dir/debootstrap.log" 2>&1 ||
        { tail -n 20 "$dir/debootstrap.log" >&2; say "debootstrap failed (log: $dir/debootstrap.log)"; exit 1; }

# A guest that logs in nobody and needs no network.
echo lanesight-guest >"$root/etc/hostname"
: >"$root/etc/machine-id"
rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"*_Packages 2>/dev/null || true
chroot "$root" dpkg-query -W -f='${Package} ${Version}\n' >"$dir/rootfs.done"
say "done: $(wc -l <"$dir/rootfs.done") packages, $(du -sm "$root" | cut -f1) MB"
