#!/bin/sh
# Authorization through polkit, as the service checks it for every call:
# python3-dbusmock's polkitd on the private bus grants actions one by one, and
# an unprivileged caller (nobody) is refused or served accordingly; root is
# always served; without polkit on the bus the service applies the default
# rule itself (groups lanesight / lanesight-admin), and nobody is in neither.
. "$(dirname "$0")/lib.sh"

if ! /usr/bin/python3 -c 'import dbusmock' 2>/dev/null; then
        echo "FAIL: python3-dbusmock is missing (packaging/deps.sh installs it)"
        exit 1
fi

start_bus
write_config
start_daemon

nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
as_nobody() { nobody gdbus call --system -d "$BUS_NAME" -o "$1" -m "$2" ${3:+"$3"} 2>&1; }
mock() { gdbus call --system -d org.freedesktop.PolicyKit1 -o /org/freedesktop/PolicyKit1/Authority \
        -m org.freedesktop.DBus.Mock."$1" "$2" >/dev/null; }
expect() {      # expect NAME PATTERN OUTPUT
        case "$3" in *$2*) pass "$1" ;; *) fail "$1: $(echo "$3" | head -c 300)" ;; esac
}

bg "$T/polkit.log" /usr/bin/python3 -m dbusmock --template polkitd --system
POLKIT=$BG_PID
check "mock polkitd on the bus" wait_for 100 sh -c "busctl --system status org.freedesktop.PolicyKit1 >/dev/null 2>&1"

# Nothing granted.
expect "polkit grants nothing: GetCameras refused (AccessDenied, verify)" \
        "$ERR.AccessDenied: Not authorized for org.lanesight.Lanesight1.verify" \
        "$(as_nobody "$ROOT" "$IF.Manager.GetCameras")"
expect "polkit grants nothing: Gallery.Clear refused (AccessDenied, manage-gallery)" \
        "$ERR.AccessDenied: Not authorized for org.lanesight.Lanesight1.manage-gallery" \
        "$(as_nobody "$ROOT" "$IF.Gallery.Clear")"
expect "root is served without asking polkit" "/camera/0" \
        "$(gdbus call --system -d "$BUS_NAME" -o "$ROOT" -m "$IF.Manager.GetCameras" 2>&1)"

# verify granted: officers' calls go through, gallery management does not.
mock SetAllowed "['org.lanesight.Lanesight1.verify']"
expect "verify granted: GetCameras served" "/camera/0" "$(as_nobody "$ROOT" "$IF.Manager.GetCameras")"
out=$(nobody gdbus call --system -d "$BUS_NAME" -o "$ROOT" -m "$IF.Manager.ExtractTemplate" 3 3<"$LSD_PORTRAIT" 2>&1)
expect "verify granted: ExtractTemplate served (a template)" "([byte 0x4c, 0x53, 0x46, 0x54" "$out"
expect "verify granted: Gallery.Clear still refused" "$ERR.AccessDenied" "$(as_nobody "$ROOT" "$IF.Gallery.Clear")"
expect "verify granted: Gallery.List refused (names are the gallery managers' business)" "$ERR.AccessDenied" \
        "$(as_nobody "$ROOT" "$IF.Gallery.List")"

# Both granted.
mock SetAllowed "['org.lanesight.Lanesight1.verify', 'org.lanesight.Lanesight1.manage-gallery']"
expect "manage-gallery granted: Gallery.Clear served" "()" "$(as_nobody "$ROOT" "$IF.Gallery.Clear")"

# Many callers at once while polkit answers: every call answered, the service still on the bus.
i=0
while [ $i -lt 20 ]; do
        bg "$T/many$i.out" nobody gdbus call --system -d "$BUS_NAME" -o "$ROOT" -m "$IF.Manager.GetCameras"
        i=$((i + 1))
done
check "20 concurrent callers, each answered through polkit" wait_for 200 sh -c \
        "[ \$(cat $T/many*.out 2>/dev/null | grep -c '/camera/0') -eq 20 ]"

# polkit goes away: the service's own fallback rule (nobody is in neither group).
kill "$POLKIT"
wait_for 100 sh -c "! busctl --system status org.freedesktop.PolicyKit1 >/dev/null 2>&1"
expect "no polkit: the default rule refuses a caller outside the groups" "$ERR.AccessDenied" \
        "$(as_nobody "$ROOT" "$IF.Manager.GetCameras")"
check "no polkit: logged once" sh -c "[ \$(grep -c 'polkit is not on the bus' '$T/lsd.log') -eq 1 ]"
expect "no polkit: root still served" "/camera/0" \
        "$(gdbus call --system -d "$BUS_NAME" -o "$ROOT" -m "$IF.Manager.GetCameras" 2>&1)"
check "still on the bus" daemon_alive
stop_daemon

finish
