#!/bin/sh
# The man pages: each renders without a groff warning (and through man -l),
# lanesightd.conf(5) documents every key of svc/config.c's key table, in its
# section, and lanesightctl(1) every command lanesightctl --help lists.
# Environment: LANESIGHTCTL (optional: the help cross-check is skipped without it).
set -u
cd "$(dirname "$0")/../.." || exit 1
command -v groff >/dev/null || { echo "SKIP: man pages (no groff)"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
failed=0
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1"; failed=1; }

for page in docs/man/lanesightctl.1 docs/man/lanesightd.8 docs/man/lanesightd.conf.5 \
            docs/man/lanesight-probe.1 docs/man/lanesight-infer.1; do
        name=$(basename "$page")
        if LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$page" 2>"$tmp/warn" && [ ! -s "$tmp/warn" ]; then
                pass "render-$name"
        else
                sed 's/^/    /' "$tmp/warn" | head -5; fail "render-$name"
        fi
        if command -v man >/dev/null; then
                if MANWIDTH=80 man --warnings -l "$page" >"$tmp/out" 2>"$tmp/warn" && [ ! -s "$tmp/warn" ] &&
                   grep -q "NAME" "$tmp/out"; then pass "man-l-$name"; else
                        sed 's/^/    /' "$tmp/warn" | head -5; fail "man-l-$name"; fi
        fi
done

# Every [Section] Key of the key table appears as "Key=" after ".SH "[Section] SECTION"".
sed -n 's/^ *{ "\([A-Za-z]*\)", "\([A-Za-z]*\)", parse_.*/\1 \2/p' svc/config.c >"$tmp/keys"
[ "$(wc -l <"$tmp/keys")" -ge 20 ] && pass conf-key-table-read || fail conf-key-table-read
missing=""
while read -r section key; do
        awk -v s="[$section] SECTION" -v k="$key=" '
                /^\.SH/ { in_s = index($0, s) > 0 }
                in_s && index($0, k) { found = 1 }
                END { exit !found }' docs/man/lanesightd.conf.5 || missing="$missing [$section]$key"
done <"$tmp/keys"
[ -z "$missing" ] && pass conf-keys-documented || { echo "    undocumented:$missing"; fail conf-keys-documented; }

if [ -n "${LANESIGHTCTL:-}" ]; then
        "$LANESIGHTCTL" --help | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p' | sort -u >"$tmp/verbs"
        missing=""
        for v in $(cat "$tmp/verbs"); do
                grep -q "^\.B $v\b\|^\.B $v$\|^\.B \"*$v " docs/man/lanesightctl.1 || missing="$missing $v"
        done
        [ "$(wc -l <"$tmp/verbs")" -ge 8 ] && [ -z "$missing" ] && pass ctl-verbs-documented ||
                { echo "    verbs: $(tr '\n' ' ' <"$tmp/verbs"); undocumented:$missing"; fail ctl-verbs-documented; }
fi
exit $failed
