#!/bin/sh
# Build a gzip'ed newc cpio archive for a qemu guest from host files.
#
#   tests/vm/mkinitramfs.sh --out FILE [--base] [--kernel KDIR] [--module NAME]...
#                           [--bin PATH[=DEST]]... [--file SRC=DEST]... [--tree SRC=DEST]...
#                           [--link TARGET=LINK]...
#
# --base        busybox (with /bin/sh), the merged-/usr layout (/bin, /lib,
#               /lib64, /sbin -> usr/...), /etc basics and tests/vm/guest/init
# --kernel KDIR a tests/vm/fetch.sh kernel directory (KDIR/version, KDIR/root)
# --module NAME a kernel module and its dependencies (decompressed, depmod'ed)
# --bin PATH    an ELF program and the shared libraries ldd says it needs
# --file, --tree a file / a directory copied as is to DEST in the guest
# --link        a symbolic link LINK -> TARGET in the guest
#
# The kernel unpacks several concatenated archives in order into one rootfs, so
# a cached base archive (busybox, libraries, modules, udev) and a small payload
# (lanesight programs, test scripts) are built separately and simply cat'ed.
# Host paths are mapped to merged-/usr paths (/lib/x -> /usr/lib/x) so payload
# archives never fight with the base's top-level symlinks.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=""; base=0; kdir=""; modules=""; bins=""; files=""; trees=""; links=""
while [ $# -gt 0 ]; do
        case "$1" in
        --out) out=$2; shift 2 ;;
        --base) base=1; shift ;;
        --kernel) kdir=$2; shift 2 ;;
        --module) modules="$modules $2"; shift 2 ;;
        --bin) bins="$bins $2"; shift 2 ;;
        --file) files="$files $2"; shift 2 ;;
        --tree) trees="$trees $2"; shift 2 ;;
        --link) links="$links $2"; shift 2 ;;
        *) echo "mkinitramfs: unknown option '$1'" >&2; exit 2 ;;
        esac
done
[ -n "$out" ] || { echo "mkinitramfs: --out FILE is required" >&2; exit 2; }

root=$(mktemp -d "${TMPDIR:-/tmp}/lanesight-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT INT TERM

# /lib/x, /bin/x, ... -> /usr/lib/x, /usr/bin/x: the guest is merged-/usr.
usr_path() {
        case "$1" in
        /lib/*|/lib64/*|/bin/*|/sbin/*) echo "/usr$1" ;;
        *) echo "$1" ;;
        esac
}

copy_file() { # SRC DEST (DEST absolute in the guest)
        d=$(usr_path "$2")
        mkdir -p "$root$(dirname "$d")"
        cp -L "$1" "$root$d"
}

copy_elf() { # PATH [DEST]
        copy_file "$1" "${2:-$1}"
        # Libraries by the path ldd resolved (the loader too, as ldd prints it).
        ldd "$1" 2>/dev/null | sed -n -e 's/.*=> \(\/[^ ]*\) .*/\1/p' -e 's/^[[:space:]]*\(\/[^ ]*\) .*/\1/p' |
        while read -r lib; do
                [ -e "$root$(usr_path "$lib")" ] || copy_file "$lib" "$lib"
        done
}

if [ "$base" = 1 ]; then
        mkdir -p "$root/usr/bin" "$root/usr/sbin" "$root/usr/lib" "$root/usr/lib64" \
                 "$root/dev" "$root/proc" "$root/sys" "$root/run" "$root/tmp" "$root/etc" "$root/root" "$root/var"
        for d in bin sbin lib lib64; do ln -s "usr/$d" "$root/$d"; done
        ln -s ../run "$root/var/run"
        cp /bin/busybox "$root/usr/bin/busybox"
        ln -s busybox "$root/usr/bin/sh"
        printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
        # The groups udev rules name, so udevd does not warn about each one.
        printf '%s\n' root:x:0: tty:x:5: disk:x:6: kmem:x:15: dialout:x:20: cdrom:x:24: tape:x:26: \
                audio:x:29: video:x:44: sgx:x:107: input:x:105: kvm:x:106: render:x:108: nogroup:x:65534: >"$root/etc/group"
        cp "$here/guest/init" "$root/init"
        chmod 0755 "$root/init"
fi

if [ -n "$kdir" ]; then
        kver=$(cat "$kdir/version")
        ksrc="$kdir/root/lib/modules/$kver"
        kdst="$root/usr/lib/modules/$kver"
        mkdir -p "$kdst"
        index=$(mktemp)
        find "$ksrc/kernel" -name '*.ko*' >"$index"
        # Closure over the modinfo "depends=" lists, names normalised to '_'.
        todo=$(echo $modules | tr '-' '_'); done_=" "
        while [ -n "$todo" ]; do
                set -- $todo; m=$1; shift; todo="$*"
                case "$done_" in *" $m "*) continue ;; esac
                done_="$done_$m "
                f=$(awk -v m="$m" '{ n = $0; sub(/.*\//, "", n); sub(/\.ko.*/, "", n); gsub(/-/, "_", n); if (n == m) { print; exit } }' "$index")
                [ -n "$f" ] || { echo "mkinitramfs: module '$m' not found in $ksrc" >&2; exit 1; }
                rel=${f#"$ksrc/"}; rel=${rel%.xz}; rel=${rel%.zst}
                mkdir -p "$kdst/$(dirname "$rel")"
                case "$f" in
                *.xz)  xz -dc "$f" >"$kdst/$rel" ;;
                *.zst) zstd -qdc "$f" >"$kdst/$rel" ;;
                *)     cp "$f" "$kdst/$rel" ;;
                esac
                deps=$(tr '\0' '\n' <"$kdst/$rel" | sed -n 's/^depends=//p' | tr ',' ' ' | tr '-' '_')
                todo="$todo $deps"
        done
        rm -f "$index"
        cp "$ksrc/modules.builtin" "$ksrc/modules.order" "$kdst/" 2>/dev/null || true
        busybox depmod -b "$root/usr" "$kver"
fi

for b in $bins; do
        case "$b" in *=*) copy_elf "${b%%=*}" "${b#*=}" ;; *) copy_elf "$b" ;; esac
done
for f in $files; do copy_file "${f%%=*}" "${f#*=}"; done
for t in $trees; do
        d=$(usr_path "${t#*=}")
        mkdir -p "$root$d"
        cp -a "${t%%=*}/." "$root$d/"
done
for l in $links; do
        d=$(usr_path "${l#*=}")
        mkdir -p "$root$(dirname "$d")"
        ln -sfn "${l%%=*}" "$root$d"
done

mkdir -p "$(dirname "$out")"
# Written aside and renamed: a concurrent run never reads half an archive.
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$out.tmp.$$"
mv "$out.tmp.$$" "$out"
