#!/bin/sh
# Fetch what the qemu guests boot, into a cache under build/vm.
#
#   tests/vm/fetch.sh [CACHE]          (default CACHE: build/vm)
#
# - Debian trixie's kernel (linux-image-amd64 -> linux-image-6.12.*): bookworm's
#   6.1 lacks udmabuf and dma-heap. It comes from the mirror this machine
#   already uses, through a private apt configuration (own sources list, state
#   and cache under CACHE/apt): the machine's apt setup is never touched.
# - bookworm's udev (systemd-udevd, rules, v4l_id), with the host's apt (the
#   machine's own release). Only downloaded and unpacked, never installed.
#
# Result: CACHE/kernel/{vmlinuz,version,root/} and CACHE/udev/root/.
# Idempotent: a second run with everything present only checks and exits.
# VM_MIRROR=URL overrides the mirror; VM_SUITE (default trixie) the suite.
set -eu

cache=${1:-build/vm}
suite=${VM_SUITE:-trixie}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

say() { echo "vm-fetch: $*" >&2; }

# The Debian mirror this machine uses: first http(s) URI of a non-security
# "debian" archive in the apt sources (one-line or deb822 format).
find_mirror() {
        for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
                [ -r "$f" ] || continue
                sed -n -e 's/^[[:space:]]*URIs:[[:space:]]*//p' \
                       -e 's/^[[:space:]]*deb[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]*\)\{0,1\}\([^[:space:]]*\).*/\2/p' "$f"
        done | tr ' ' '\n' | grep -E '^https?://.*/debian/?$' | head -n 1
}

mirror=${VM_MIRROR:-$(find_mirror)}
mirror=${mirror:-http://deb.debian.org/debian}
mirror=${mirror%/}

apt_dir=$cache/apt
mkdir -p "$apt_dir/etc/preferences.d" "$apt_dir/etc/apt.conf.d" "$apt_dir/etc/sources.list.d" \
         "$apt_dir/state/lists/partial" "$apt_dir/cache/archives/partial" "$cache/debs"
apt_dir=$(cd "$apt_dir" && pwd)
printf 'deb [signed-by=%s] %s %s main\n' "$keyring" "$mirror" "$suite" >"$apt_dir/etc/sources.list"
: >"$apt_dir/state/status"

# Everything apt would read from /etc/apt or /var/lib/apt is redirected.
papt() {
        cmd=$1; shift
        "$cmd" -q \
                -o Dir::Etc="$apt_dir/etc" \
                -o Dir::Etc::sourcelist="$apt_dir/etc/sources.list" \
                -o Dir::Etc::sourceparts="$apt_dir/etc/sources.list.d" \
                -o Dir::Etc::preferencesparts="$apt_dir/etc/preferences.d" \
                -o Dir::Etc::parts="$apt_dir/etc/apt.conf.d" \
                -o Dir::State="$apt_dir/state" \
                -o Dir::State::status="$apt_dir/state/status" \
                -o Dir::Cache="$apt_dir/cache" \
                -o APT::Architecture=amd64 \
                -o APT::Sandbox::User=root \
                -o Acquire::Languages=none \
                "$@"
}

# --- kernel -----------------------------------------------------------------
kdir=$cache/kernel
if [ ! -s "$kdir/vmlinuz" ] || [ ! -s "$kdir/version" ] || [ ! -d "$kdir/root/lib/modules" ]; then
        # Package lists older than a day are refreshed; the .deb itself is kept.
        if [ -z "$(find "$apt_dir/state/lists" -maxdepth 1 -name '*_Packages*' -mtime -1 2>/dev/null)" ]; then
                say "updating private $suite package list from $mirror"
                papt apt-get update >"$apt_dir/update.log" 2>&1 || { cat "$apt_dir/update.log" >&2; exit 1; }
        fi
        # The meta package depends on the versioned image package.
        pkg=$(papt apt-cache depends linux-image-amd64 2>/dev/null |
              sed -n 's/^ *Depends: *\(linux-image-[0-9][^ ]*\).*/\1/p' | head -n 1)
        [ -n "$pkg" ] || { say "cannot resolve linux-image-amd64 in $suite"; exit 1; }
        deb=$(ls -t "$cache/debs/${pkg}_"*.deb 2>/dev/null | head -n 1)
        if [ -z "$deb" ]; then
                say "downloading $pkg ($suite)"
                (cd "$cache/debs" && papt apt-get download "$pkg" >/dev/null)
                deb=$(ls -t "$cache/debs/${pkg}_"*.deb | head -n 1)
        fi
        # Older kernels of the cache are of no use any more.
        for old in "$cache/debs"/linux-image-*.deb; do
                [ "$old" = "$deb" ] || rm -f "$old"
        done
        rm -rf "$kdir.tmp"
        mkdir -p "$kdir.tmp/root"
        dpkg-deb -x "$deb" "$kdir.tmp/root"
        # trixie is merged-/usr: modules live in /usr/lib/modules.
        if [ -d "$kdir.tmp/root/usr/lib/modules" ]; then
                mkdir -p "$kdir.tmp/root/lib"
                mv "$kdir.tmp/root/usr/lib/modules" "$kdir.tmp/root/lib/modules"
        fi
        kver=$(ls "$kdir.tmp/root/lib/modules" | head -n 1)
        [ -n "$kver" ] && [ -f "$kdir.tmp/root/boot/vmlinuz-$kver" ] || { say "no kernel in $deb"; exit 1; }
        cp "$kdir.tmp/root/boot/vmlinuz-$kver" "$kdir.tmp/vmlinuz"
        echo "$kver" >"$kdir.tmp/version"
        rm -rf "$kdir"
        mv "$kdir.tmp" "$kdir"
        say "kernel $kver ready in $kdir"
fi

# --- udev -------------------------------------------------------------------
# udevadm links no libsystemd-shared, but the host's version is the natural
# pick; the candidate version is the fallback when that one left the mirror.
udir=$cache/udev
sdver=$(dpkg-query -W -f='${Version}' systemd 2>/dev/null || true)
if [ ! -x "$udir/root/bin/udevadm" ] || [ ! -s "$udir/version" ]; then
        rm -f "$cache/debs"/udev_*.deb
        hapt() { (cd "$cache/debs" && apt-get download -q -o APT::Sandbox::User=root "$@" >/dev/null 2>&1); }
        say "downloading bookworm's udev ${sdver:-(candidate)} (download only, not installed)"
        if ! { [ -n "$sdver" ] && hapt "udev=$sdver"; } && ! hapt udev; then
                # A machine whose package lists were never fetched (or were cleaned).
                [ "$(id -u)" -eq 0 ] && apt-get update -qq >/dev/null 2>&1
                hapt udev || { say "apt-get download udev failed"; exit 1; }
        fi
        rm -rf "$udir"
        mkdir -p "$udir/root"
        deb=$(ls "$cache/debs"/udev_*.deb)
        dpkg-deb -x "$deb" "$udir/root"
        dpkg-deb -f "$deb" Version >"$udir/version"
fi
exit 0
