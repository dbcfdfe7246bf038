#!/bin/sh
# The D-Bus fuzzer (tests/fuzz/bus-fuzz.c) against lanesightd on the demo
# clip: every method and property with wrong signatures, boundary values, the
# image fd kinds, abandoned sessions and peers that hang up mid-call. Passes
# when every answer was a documented error name, every call was answered,
# Properties.Get answered within the bound throughout, the daemon still runs,
# the fuzzer's sessions all ended with its connections, and the daemon stops
# cleanly.
#
# BUS_FUZZ_SECONDS (default 40; make check), BUS_FUZZ_SEED (default 1 in make
# check, for the same calls every run; make fuzz-bus passes a random one).
. "$(dirname "$0")/lib.sh"
: "${LSD_PEER:?}" "${LSD_PORTRAIT:?}"
FUZZ=$(dirname "$LSD_PEER")/bus-fuzz
seconds=${BUS_FUZZ_SECONDS:-40}
seed=${BUS_FUZZ_SEED:-}
if [ -z "$seed" ]; then
        # make fuzz-bus without FUZZ_SEED: a new seed per run (printed), make check: always 1.
        [ -n "${BUS_FUZZ_SECONDS:-}" ] && seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ') || seed=1
fi

start_bus
write_config
start_daemon

"$FUZZ" --portrait "$LSD_PORTRAIT" --seed "$seed" --seconds "$seconds" --check-every 50 --bound-ms 2000
rc=$?
check "bus-fuzz (seed $seed, ${seconds} s): no undocumented answer, no hang, alive at every check" test "$rc" -eq 0
check "lanesightd still runs and owns its name" daemon_alive
check "the fuzzer's sessions ended with its connections" \
        wait_for 300 sh -c "[ \$(busctl --system tree $BUS_NAME 2>/dev/null | grep -c '/session/[0-9]') -eq 0 ]"
if daemon_alive; then
        stop_daemon
else
        tail -n 40 "$T/lsd.log"
fi
finish
