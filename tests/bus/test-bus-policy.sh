#!/bin/sh
# The bus policy in force (issue 12): the demo's private bus (tests/demo/lib.sh) with
# units/org.lanesight.Lanesight1.conf added (the service user mapped to root, who runs this
# test); lanesightd streams the demo clip; root receives its FrameProcessed signals, user
# nobody (not in group lanesight) none. With the policy of before, nobody received as many as root.
# Environment (set by make check): LANESIGHTD, LANESIGHTCTL, LANESIGHT_TEST_CLIP, LANESIGHT_TEST_MODELS.
set -u
[ "$(id -u)" -eq 0 ] || { echo "SKIP: bus-policy (needs root to listen as another user)"; exit 77; }
for c in dbus-daemon dbus-send gdbus setpriv; do
        command -v $c >/dev/null || { echo "SKIP: bus-policy (no $c)"; exit 77; }
done
. "$(dirname "$0")/../demo/lib.sh"
LSD_CLIP=${LANESIGHT_TEST_CLIP:?} LSD_MODELS=${LANESIGHT_TEST_MODELS:?}
trap lsd_stop EXIT
failed=0
lsd_start_bus || exit 1
# The policy file joins the bus's configuration; a reload applies it before the service starts.
sed 's/user="lanesightd"/user="root"/' units/org.lanesight.Lanesight1.conf >"$LSD_TMP/policy.conf"
sed -i "s|</busconfig>|<include>$LSD_TMP/policy.conf</include></busconfig>|" "$LSD_TMP/bus.conf"
dbus-send --system --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.ReloadConfig >/dev/null || exit 1
lsd_start_daemon || exit 1
# Both listen at once, for the same frames.
timeout 5 gdbus monitor --address "$DBUS_SYSTEM_BUS_ADDRESS" --dest org.lanesight.Lanesight1 >"$LSD_TMP/root.out" 2>&1 & m=$!
timeout 5 setpriv --reuid=65534 --regid=65534 --clear-groups \
        gdbus monitor --address "$DBUS_SYSTEM_BUS_ADDRESS" --dest org.lanesight.Lanesight1 >"$LSD_TMP/nobody.out" 2>&1
wait $m
r=$(grep -c FrameProcessed "$LSD_TMP/root.out"); u=$(grep -c FrameProcessed "$LSD_TMP/nobody.out")
echo "  FrameProcessed in 5 s: root $r, nobody $u"
[ "$r" -gt 0 ] && echo "PASS: root receives the service's signals" || { echo "FAIL: root receives nothing"; failed=1; }
grep -q "is owned by" "$LSD_TMP/nobody.out" && [ "$u" -eq 0 ] && echo "PASS: nobody receives none of them" ||
        { echo "FAIL: nobody (not in group lanesight) received $u"; head -3 "$LSD_TMP/nobody.out"; failed=1; }
exit $failed
