#!/bin/sh
# systemd-analyze verify on lanesightd.service (with @SBINDIR@ pointing at a
# stand-in executable, since verify checks ExecStart=), plus the exposure
# score of `systemd-analyze security`: it must stay at or below 1.5 (issue 12;
# docs/dbus-api.md records the value); the resource limits and device list of
# issue 12, and a bus policy that limits who receives the service's signals.
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
if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 1.5) }'; then
        pass "systemd-analyze security: exposure $score <= 1.5"
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
# Issue 12: memory and task limits (MemoryHigh= below MemoryMax=), render nodes only.
u="$T/lanesightd.service"
bytes() { awk -v v="$1" 'BEGIN { m = v ~ /G$/ ? 2^30 : v ~ /M$/ ? 2^20 : v ~ /K$/ ? 2^10 : 1; sub(/[KMG]$/, "", v); print v * m }'; }
high=$(sed -n 's/^MemoryHigh=//p' "$u"); max=$(sed -n 's/^MemoryMax=//p' "$u"); tasks=$(sed -n 's/^TasksMax=//p' "$u")
if [ -n "$high" ] && [ -n "$max" ] && [ "$(bytes "$high")" -lt "$(bytes "$max")" ] &&
   [ "$(bytes "$high")" -ge $((300 << 20)) ]; then
        pass "MemoryHigh=$high below MemoryMax=$max, above the measured peak (287 MiB)"
else
        fail "MemoryHigh=/MemoryMax= missing or inconsistent ('$high', '$max')"
fi
case "$tasks" in ''|*[!0-9]*) fail "TasksMax= missing or not a number ('$tasks')" ;;
        *) [ "$tasks" -ge 256 ] && [ "$tasks" -le 4096 ] && pass "TasksMax=$tasks" || fail "TasksMax=$tasks out of 256..4096" ;; esac
if grep -Eq '^DeviceAllow=(char-drm|/dev/dri/card|/dev/dri/?( |$))' "$u"; then
        fail "DeviceAllow= opens DRM primary nodes (display control)"
else
        pass "no DRM primary node allowed"
fi
grep -q '^DeviceAllow=/dev/dri/renderD128 rw$' "$u" && pass "render nodes allowed" || fail "no render node allowed"

# The bus policy: only root and group lanesight receive what the service sends.
if python3 - units/org.lanesight.Lanesight1.conf <<'PY'
import sys, xml.dom.minidom
name = "org.lanesight.Lanesight1"
d = xml.dom.minidom.parse(sys.argv[1])
got = {}
for p in d.getElementsByTagName("policy"):
    who = "user=" + p.getAttribute("user") if p.getAttribute("user") else \
          "group=" + p.getAttribute("group") if p.getAttribute("group") else "context=" + p.getAttribute("context")
    for r in p.childNodes:
        if r.nodeType == r.ELEMENT_NODE and r.getAttribute("receive_sender") == name:
            got.setdefault(who, set()).add(r.tagName)
want = {"context=default": {"deny"}, "user=root": {"allow"}, "group=lanesight": {"allow"},
        "group=lanesight-admin": {"allow"}}
if got != want:
    sys.exit("receive_sender rules %s, expected %s" % (got, want))
PY
then pass "bus policy: only root and groups lanesight and lanesight-admin receive the service's messages"
else fail "bus policy does not limit who receives the service's messages"; fi
[ "$n_fail" -eq 0 ]
