#!/bin/sh
# What many callers cost the service on the bus, and losing the bus:
#  - each peer is tracked once however many sessions it holds (a tracker is a
#    match rule on the service's connection; dbus-daemon drops a connection
#    past max_match_rules_per_connection, 512 by default: 130 peers with 4
#    sessions each took the service off the bus when every session had one);
#  - when the peers leave, their sessions end and the rules go;
#  - when the bus goes away, lanesightd exits with a failure status and a
#    catalogued journal entry, so that systemd starts it again.
. "$(dirname "$0")/lib.sh"
: "${LSD_PEER:?}"

MSG_BUS_LOST=0a925de1c3144c4392b8cc3df2b7d0fb
PEERS=20

start_bus
write_config '[Session]' 'MaxSessions=200' 'MaxPerUser=200'
start_daemon

owner=$(busctl --system status "$BUS_NAME" | sed -n 's/^UniqueName=//p')
match_rules() {
        busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.Debug.Stats \
                GetConnectionStats s "$owner" | tr ' ' '\n' | grep -A2 "\"$1\"" | tail -n 1
}
sessions() { busctl --system tree "$BUS_NAME" 2>/dev/null | grep -c '/session/[0-9]'; }

base=$(match_rules MatchRules)
# Every peer reads the same FIFO, which we keep open and never write: they hold until SIGTERM.
mkfifo "$T/hold.in"
exec 7<>"$T/hold.in"
i=0; HOLDS=""
while [ $i -lt $PEERS ]; do
        bg "$T/hold$i.out" sh -c "exec '$LSD_PEER' open open open open hold <'$T/hold.in'"
        HOLDS="$HOLDS $BG_PID"
        i=$((i + 1))
done
check "$PEERS peers opened 4 sessions each" wait_for 300 sh -c "[ \$(cat $T/hold*.out | grep -c '^session ') -eq $((PEERS * 4)) ]"
check "the service lists $((PEERS * 4)) sessions" test "$(sessions)" -eq $((PEERS * 4))
rules=$(match_rules MatchRules)
check "one match rule per peer: ${rules} rules for $PEERS peers and $((PEERS * 4)) sessions (before: $base)" \
        test "$rules" -le $((base + PEERS))
check "still on the bus" daemon_alive

# The peers leave: every session ends and the trackers go.
for p in $HOLDS; do kill "$p" 2>/dev/null; done
check "all sessions ended when their owners left" wait_for 200 sh -c "[ \$(busctl --system tree $BUS_NAME 2>/dev/null | grep -c '/session/[0-9]') -eq 0 ]"
check "trackers released: $(match_rules MatchRules) match rules (before: $base)" test "$(match_rules MatchRules)" -le "$base"

# The session limits: per caller, per user (every peer here is root), and in total.
stop_daemon
write_config '[Session]' 'MaxPerCaller=4' 'MaxPerUser=5' 'MaxSessions=8'
start_daemon
owner=$(busctl --system status "$BUS_NAME" | sed -n 's/^UniqueName=//p')
bg "$T/a.out" sh -c "exec '$LSD_PEER' open open open open hold <'$T/hold.in'"
A=$BG_PID
wait_for 100 sh -c "grep -c '^session ' '$T/a.out' | grep -qx 4"
bg "$T/b.out" sh -c "exec '$LSD_PEER' open open hold <'$T/hold.in'"
B=$BG_PID
check "MaxPerUser=5: a second caller of the same user gets one more, then LimitReached" \
        wait_for 100 sh -c "grep -c '^session ' '$T/b.out' | grep -qx 1 && grep -q '^error $ERR.LimitReached: At most 5 sessions per user' '$T/b.out'"
kill "$A" "$B" 2>/dev/null
wait_for 100 sh -c "[ \$(busctl --system tree $BUS_NAME 2>/dev/null | grep -c '/session/[0-9]') -eq 0 ]"
stop_daemon
write_config '[Session]' 'MaxPerCaller=4' 'MaxPerUser=6' 'MaxSessions=6'
start_daemon
owner=$(busctl --system status "$BUS_NAME" | sed -n 's/^UniqueName=//p')
timeout 60 "$LSD_PEER" open open open open open >"$T/e.out" 2>&1
check "MaxPerCaller=4: the fifth session of one caller is refused (LimitReached)" \
        grep -q "^error $ERR.LimitReached: At most 4 sessions per caller" "$T/e.out"
wait_for 100 sh -c "[ \$(busctl --system tree $BUS_NAME 2>/dev/null | grep -c '/session/[0-9]') -eq 0 ]"
bg "$T/c.out" sh -c "exec '$LSD_PEER' open open open open hold <'$T/hold.in'"
wait_for 100 sh -c "grep -c '^session ' '$T/c.out' | grep -qx 4"
bg "$T/d.out" sh -c "exec '$LSD_PEER' open open open hold <'$T/hold.in'"
check "MaxSessions=6: the seventh session of anyone is refused (LimitReached)" \
        wait_for 100 sh -c "grep -c '^session ' '$T/d.out' | grep -qx 2 && grep -q '^error $ERR.LimitReached: At most 6 sessions at once' '$T/d.out'"

# The bus goes away: a failure exit with the catalogued entry, not a service that streams to nobody.
kill -TERM "$BUS_PID"
dead=0
for _ in $(seq 100); do kill -0 "$LSD_PID" 2>/dev/null || { dead=1; break; }; sleep 0.1; done
check "lanesightd exits when the bus goes away" test "$dead" -eq 1
wait "$LSD_PID"; rc=$?
LSD_PID=""
check "with a failure status ($rc), so Restart=on-failure brings it back" test "$rc" -ne 0
check "the journal entry names the lost bus" grep -q "Lost the connection to the system bus" "$T/lsd.log"
check "no sanitizer report" sh -c "! grep -q 'AddressSanitizer\|LeakSanitizer\|runtime error:' '$T/lsd.log'"

finish
