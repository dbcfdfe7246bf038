#!/bin/sh
# The system-check guest test, run by lanesight-system-check.service under
# systemd (PID 1) on the trixie kernel: installs the .deb built by `make deb`
# and checks what dpkg and systemd made of it. Result lines ("PASS: x",
# "FAIL: x") go to the second serial port, read by tests/vm/run.sh, and end
# with "@@LANESIGHT-VM-END rc=N"; then the guest powers off.
set -u
res=/dev/ttyS1
fails=0
out() { echo "$*" >"$res"; echo "$*"; }
pass() { out "PASS: $*"; }
fail() { out "FAIL: $*"; fails=$((fails + 1)); }
check() { # NAME COMMAND...
        name=$1; shift
        if "$@" >/tmp/check.out 2>&1; then pass "$name"; else
                fail "$name"; sed 's/^/    /' /tmp/check.out | head -n 20 >"$res"; fi
}
finish() {
        out "@@LANESIGHT-VM-END rc=$fails"
        sync
        systemctl poweroff --no-block
        exit 0
}

check "PID 1 is systemd" sh -c '[ "$(cat /proc/1/comm)" = systemd ]'
check "system bus is up" busctl --system status org.freedesktop.DBus
check "journald is up" systemctl is-active --quiet systemd-journald.service
out "kernel $(uname -r), $(systemctl --version | head -n 1)"

depmod -a >/dev/null 2>&1
check "vivid loads" modprobe vivid
udevadm settle --timeout=30

deb=$(ls /pkg/lanesight_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || { fail "no .deb in /pkg"; finish; }
check "dpkg -i $(basename "$deb")" dpkg -i "$deb"
check "system user lanesightd exists" id lanesightd
# postinst started it (deb-systemd-invoke start): it must have come up then,
# with the bus policy already knowing the new user.
sleep 3
check "lanesightd active after dpkg -i (started by postinst)" systemctl is-active --quiet lanesightd.service
check "group lanesight exists" getent group lanesight
check "unit enabled by the package" systemctl is-enabled --quiet lanesightd.service
check "bus policy installed" test -f /usr/share/dbus-1/system.d/org.lanesight.Lanesight1.conf
# systemd's dpkg trigger re-indexed the catalog when the package landed.
check "catalog indexed (journalctl --list-catalog)" sh -c 'journalctl --list-catalog | grep -q "lanesight:"'

# postinst started it already (deb-systemd-invoke start); a start is a no-op then.
check "systemctl start lanesightd" systemctl start lanesightd.service
sleep 2
st=$(systemctl show -P ActiveState lanesightd.service)
if [ "$st" = active ]; then pass "lanesightd active (Type=notify: READY=1 received)"; else
        fail "lanesightd state is '$st'"; journalctl -b -u lanesightd --no-pager | tail -n 30 >"$res"; fi
status=$(systemctl show -P StatusText lanesightd.service)
if [ -n "$status" ]; then pass "STATUS line: $status"; else fail "no STATUS= line"; fi
check "bus name org.lanesight.Lanesight1 owned" busctl --system status org.lanesight.Lanesight1
check "lanesightctl status (as root)" lanesightctl status
check "journal: lanesightd entries carry a MESSAGE_ID" sh -c \
        'journalctl -b -u lanesightd -o export --no-pager | grep -q "^MESSAGE_ID="'
check "journal: journalctl -x shows catalog text" sh -c \
        'journalctl -b -x -u lanesightd --no-pager | grep -q "^ *\(░░\|--\) "'
out "systemd-analyze security: $(systemd-analyze security lanesightd.service 2>/dev/null | tail -n 1)"

finish
