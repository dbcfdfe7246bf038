#!/bin/sh
# Fast host test of tests/vm/mkinitramfs.sh (no qemu): module dependency
# closure over modinfo "depends=" lists (names with '-' and '_' alike),
# decompression, depmod; programs with their ldd closure; the merged-/usr
# layout; a missing module is an error. Prints PASS:/FAIL: lines.
set -u
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-mkinitramfs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
failed=0
check() { # NAME COMMAND...
        n=$1; shift
        if "$@"; then echo "PASS: test-mkinitramfs/$n"; else echo "FAIL: test-mkinitramfs/$n"; failed=1; fi
}
for tool in busybox cpio xz ldd; do
        command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: test-mkinitramfs ($tool missing)"; exit 0; }
done

# A fake kernel: modules are only scanned for their .modinfo strings.
kv=9.9.9-test
km=$tmp/k/root/lib/modules/$kv/kernel
mkdir -p "$km/a" "$km/b" "$tmp/k/root/boot"
echo "$kv" >"$tmp/k/version"
mod() { # PATH NAME DEPENDS
        printf 'junk\0name=%s\0depends=%s\0vermagic=%s\0' "$2" "$3" "$kv" | xz -c >"$km/$1.ko.xz"
}
mod a/alpha alpha "beta,gamma_x"
mod a/beta beta ""
mod b/gamma-x gamma_x "beta"
mod b/delta delta ""

out=$tmp/out.cpio.gz
sh "$here/mkinitramfs.sh" --out "$out" --base --kernel "$tmp/k" --module alpha --bin /bin/true 2>"$tmp/err"
check "builds an archive" test -s "$out"
mkdir -p "$tmp/x"
(cd "$tmp/x" && gzip -dc "$out" | cpio -id --quiet 2>/dev/null)
m=$tmp/x/usr/lib/modules/$kv/kernel
check "module and its dependencies, decompressed" \
        test -f "$m/a/alpha.ko" -a -f "$m/a/beta.ko" -a -f "$m/b/gamma-x.ko"
check "nothing else" test ! -e "$m/b/delta.ko" -a -z "$(find "$m" -name '*.xz')"
check "depmod'ed" grep -q 'alpha.ko:.*beta.ko' "$tmp/x/usr/lib/modules/$kv/modules.dep"
check "merged /usr: /lib -> usr/lib" test "$(readlink "$tmp/x/lib")" = usr/lib
check "busybox, /bin/sh and init" test -x "$tmp/x/usr/bin/busybox" -a -L "$tmp/x/usr/bin/sh" -a -x "$tmp/x/init"
check "program under /usr" test -x "$tmp/x/usr/bin/true"
libc=$(ldd /bin/true | sed -n 's/.*libc\.so\.6 => \(\/[^ ]*\) .*/\1/p')
loader=$(ldd /bin/true | sed -n 's/^[[:space:]]*\(\/[^ ]*ld-linux[^ ]*\) .*/\1/p')
check "its libraries ($libc, $loader)" test -f "$tmp/x/usr${libc#/usr}" -a -f "$tmp/x/usr${loader#/usr}"

sh "$here/mkinitramfs.sh" --out "$tmp/bad.cpio.gz" --kernel "$tmp/k" --module nosuch 2>"$tmp/err"
rc=$?
check "a missing module fails" test "$rc" -ne 0 -a ! -e "$tmp/bad.cpio.gz"
check "and says which" grep -q "module 'nosuch' not found" "$tmp/err"
exit $failed
