#!/bin/sh
# systemd-analyze verify on lanesightd.service (with @SBINDIR@ pointing at a
# stand-in executable, since verify checks ExecStart=), plus the exposure
# score of `systemd-analyze security`: it must stay at or below 2.0 ("OK";
# docs/dbus-api.md records the value).
set -u
T=$(mktemp -d /tmp/lsd-units-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
n_fail=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; n_fail=$((n_fail + 1)); }
command -v systemd-analyze >/dev/null || { echo "SKIP: no systemd-analyze"; exit 0; }

mkdir -p "$T/sbin"
printf '#!/bin/sh\nexit 0\n' >"$T/sbin/lanesightd"
chmod +x "$T/sbin/lanesightd"
sed "s|@SBINDIR@|$T/sbin|g" units/lanesightd.service.in >"$T/lanesightd.service"
grep -q '@[A-Z_]*@' "$T/lanesightd.service" && fail "a placeholder is left in the unit" || pass "every placeholder substituted"

# --man=no: the man pages are installed by make install, not present here.
if systemd-analyze verify --man=no "$T/lanesightd.service" >"$T/verify.out" 2>&1 && ! [ -s "$T/verify.out" ]; then
        pass "systemd-analyze verify: no complaints"
else
        fail "systemd-analyze verify:"; cat "$T/verify.out"
fi

systemd-analyze security --offline=true "$T/lanesightd.service" >"$T/sec.out" 2>&1
score=$(sed -n 's/.*Overall exposure level for lanesightd.service: \([0-9.]*\).*/\1/p' "$T/sec.out")
echo "  exposure: ${score:-unknown}"
if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'; then
        pass "systemd-analyze security: exposure $score <= 2.0"
else
        fail "systemd-analyze security: exposure ${score:-unknown}"; tail -5 "$T/sec.out"
fi

# The D-Bus files parse as XML; the activation file names the unit.
for f in units/org.lanesight.Lanesight1.conf packaging/dbus/org.lanesight.Lanesight1.xml; do
        if python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$f" 2>"$T/xml.err"; then
                pass "$f is well-formed XML"
        else
                fail "$f:"; cat "$T/xml.err"
        fi
done
grep -qx 'SystemdService=lanesightd.service' units/org.lanesight.Lanesight1.service &&
        pass "activation file names lanesightd.service" || fail "activation file does not name lanesightd.service"
grep -qx 'BusName=org.lanesight.Lanesight1' "$T/lanesightd.service" &&
        pass "unit's BusName= matches the bus name" || fail "unit's BusName= is not org.lanesight.Lanesight1"
[ "$n_fail" -eq 0 ]
