#!/bin/sh
# The soak (issue 12): lanesightd on the looping demo clip while 50 clients
# open sessions, verify, identify and add gallery entries, and are killed at
# random (SIGKILL, often mid-call). The daemon's RSS and open fds are sampled
# every 10 s (SOAK_INTERVAL). Fails when the daemon dies, stops answering, or
# when RSS or fds grow by more than 10 % after warm-up.
#
# Warm-up: the first fifth of the run (SOAK_SECONDS), at least 60 s. Every
# client action has run many times by then and the gallery has reached its
# size (ids are reused, entries replaced), so what remains is the steady
# working set. The baseline is the highest sample during warm-up (in-flight
# images and pipes make both figures move from sample to sample); a later
# sample above baseline * 1.10 is growth.
#
# Inputs: those of tests/bus/lib.sh, plus LSD_CTL (lanesightctl).
# SOAK_SECONDS (default 600), SOAK_CLIENTS (default 50), SOAK_INTERVAL (10).
. "$(dirname "$0")/../bus/lib.sh"
: "${LSD_PEER:?}" "${LSD_CTL:?}" "${LSD_PORTRAIT:?}" "${LSD_IMPOSTOR:?}"

SECONDS_TOTAL=${SOAK_SECONDS:-600}
CLIENTS=${SOAK_CLIENTS:-50}
INTERVAL=${SOAK_INTERVAL:-10}
WARMUP=$((SECONDS_TOTAL / 5))
[ "$WARMUP" -lt 60 ] && WARMUP=60
[ "$SECONDS_TOTAL" -gt "$WARMUP" ] || { echo "FAIL: soak: SOAK_SECONDS=$SECONDS_TOTAL leaves no time after the 60 s warm-up"; exit 1; }

# rand N: 0..N-1 from /dev/urandom (POSIX sh has no $RANDOM).
rand() { echo $(( $(od -An -N4 -tu4 /dev/urandom) % $1 )); }

start_bus
# Every client is root: the per-user limit must let 50 of them hold sessions.
write_config '[Session]' 'MaxSessions=400' 'MaxPerUser=400' 'Timeout=60'
start_daemon
echo "soak: lanesightd pid $LSD_PID, $CLIENTS clients, ${SECONDS_TOTAL} s, warm-up ${WARMUP} s, sample every ${INTERVAL} s"

mkfifo "$T/hold.in"
exec 7<>"$T/hold.in"
: >"$T/actions.log"

# client N: forever picks an action, runs it in the background and, one time
# in three, SIGKILLs it after 0-3 s (mid-call for most); otherwise waits for it.
client() {
        n=0
        while :; do
                n=$((n + 1))
                case $(rand 6) in
                0) act=verify; "$LSD_CTL" verify --reference "$LSD_PORTRAIT" --timeout 30 >/dev/null 2>&1 &;;
                1) act=identify; "$LSD_CTL" identify --candidates 3 --timeout 30 >/dev/null 2>&1 &;;
                2) act=gallery-add
                   img=$LSD_PORTRAIT; [ $((n % 2)) -eq 0 ] && img=$LSD_IMPOSTOR
                   "$LSD_CTL" gallery add "c$1-$((n % 4))" "$img" --ttl 120 >/dev/null 2>&1 &;;
                3) act=session-hold; "$LSD_PEER" open start hold <"$T/hold.in" >/dev/null 2>&1 &;;
                4) act=ref-image; "$LSD_PEER" open ref-image "$LSD_PORTRAIT" start wait Verified 30 >/dev/null 2>&1 &;;
                5) act=identify-image; "$LSD_CTL" identify --image "$LSD_IMPOSTOR" >/dev/null 2>&1 &;;
                esac
                pid=$!
                if [ "$(rand 3)" -eq 0 ] || [ "$act" = session-hold ]; then
                        sleep "$(rand 3).$(rand 10)"
                        kill -KILL "$pid" 2>/dev/null && st=killed || st=done
                        wait "$pid" 2>/dev/null
                else
                        wait "$pid"; st="exit $?"
                fi
                echo "$act $st" >>"$T/actions.log"
                sleep "0.$(rand 10)"
        done
}

i=0
while [ $i -lt "$CLIENTS" ]; do
        client $i 7>&- &
        BG_PIDS="$BG_PIDS $!"
        i=$((i + 1))
done

rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$LSD_PID/status"; }
fds() { ls "/proc/$LSD_PID/fd" | wc -l; }
answers() { timeout 5 busctl --system get-property "$BUS_NAME" "$ROOT" "$IF.Manager" Version >/dev/null 2>&1; }

: >"$T/samples"
t0=$(date +%s)
elapsed=0
dead=0
unanswered=0
next=$((t0 + INTERVAL))
while [ "$elapsed" -lt "$SECONDS_TOTAL" ]; do
        # On a fixed grid (t0 + k * INTERVAL): the time a sample takes does not stretch the interval.
        t=$(date +%s)
        [ "$next" -gt "$t" ] && sleep $((next - t))
        next=$((next + INTERVAL))
        elapsed=$(($(date +%s) - t0))
        if ! kill -0 "$LSD_PID" 2>/dev/null; then dead=1; break; fi
        s_rss=$(rss_kb); s_fds=$(fds)
        if answers; then ans=yes; else ans=no; unanswered=$((unanswered + 1)); fi
        echo "$elapsed $s_rss $s_fds $ans $(wc -l <"$T/actions.log")" >>"$T/samples"
        # A running log for long runs (make soak tees it).
        echo "sample t=${elapsed}s rss_kb=$s_rss fds=$s_fds answers=$ans actions=$(wc -l <"$T/actions.log")"
done

# The clients stop; what they held must go too.
for p in $BG_PIDS; do kill "$p" 2>/dev/null; done
for p in $BG_PIDS; do wait "$p" 2>/dev/null; done
BG_PIDS=""
exec 7>&-

echo
echo "    t_s   rss_kb  fds  answers  actions"
awk -v w="$WARMUP" '{ printf "%7d %8d %4d  %-7s  %7d%s\n", $1, $2, $3, $4, $5, $1 <= w ? "  (warm-up)" : "" }' "$T/samples"
echo
echo "actions (client verb, outcome):"
sort "$T/actions.log" | uniq -c | sort -rn

check "lanesightd ran the whole soak (${SECONDS_TOTAL} s)" test "$dead" -eq 0
check "lanesightd answered Properties.Get within 5 s at every sample ($unanswered unanswered)" test "$unanswered" -eq 0
check "at least 3 samples after warm-up" test "$(awk -v w="$WARMUP" '$1 > w' "$T/samples" | wc -l)" -ge 3
# grows COLUMN NAME: baseline = the warm-up's highest sample; fails on any later sample above it by 10 %.
# Prints the figures; with a third argument, only the exit status says.
grows() {
        awk -v w="$WARMUP" -v c="$1" -v name="$2" -v quiet="${3:-}" '
                $1 <= w { if ($c > base) base = $c; next }
                { if ($c > peak) peak = $c }
                END {
                        if (quiet == "")
                                printf "%s: warm-up peak %d, after warm-up peak %d (%+.1f %%)\n", name, base, peak,
                                        base ? 100.0 * (peak - base) / base : 0
                        exit !(base > 0 && peak <= base * 1.10)
                }' "$T/samples"
}
check "RSS grows by at most 10 % after warm-up: $(grows 2 RSS)" grows 2 RSS quiet
check "fds grow by at most 10 % after warm-up: $(grows 3 fds)" grows 3 fds quiet
if [ "$dead" -eq 0 ]; then
        check "sessions all ended after the clients went" \
                wait_for 900 sh -c "[ \$(busctl --system tree $BUS_NAME 2>/dev/null | grep -c '/session/[0-9]') -eq 0 ]"
        stop_daemon
else
        tail -n 40 "$T/lsd.log"
fi
finish
