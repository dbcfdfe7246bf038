#!/bin/sh
# The journal catalog compiles with journalctl and has an entry for every MESSAGE_ID the daemon uses.
set -u
root=$(mktemp -d); trap 'rm -rf "$root"' EXIT
mkdir -p "$root/usr/lib/systemd/catalog" "$root/var/lib/systemd/catalog"
cp units/lanesight.catalog "$root/usr/lib/systemd/catalog/"
if journalctl --root="$root" --update-catalog 2>"$root/err" && [ -s "$root/var/lib/systemd/catalog/database" ]; then
        echo "PASS: catalog-compiles"
else
        cat "$root/err"; echo "FAIL: catalog-compiles"; exit 1
fi
journalctl --root="$root" --list-catalog >"$root/list" 2>&1
failed=0
for id in $(sed -n 's/^#define LSD_MESSAGE_[A-Z_]* *"\([0-9a-f]\{32\}\)"/\1/p' svc/message-ids.h); do
        if grep -q "^$id lanesight" "$root/list"; then :; else echo "  $id has no catalog entry"; failed=1; fi
done
n=$(grep -c '^#define LSD_MESSAGE_' svc/message-ids.h)
[ "$failed" -eq 0 ] && [ "$n" -gt 0 ] && echo "PASS: catalog-covers-$n-message-ids" || { echo "FAIL: catalog-covers-message-ids"; exit 1; }
