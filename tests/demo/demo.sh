#!/bin/sh
# `make demo`, stage 2: the product on the embedded clip. A private system bus
# (a dbus-daemon in a temporary folder), lanesightd on the clip (file source),
# and lanesightctl verifying the traveler (Grace Hopper) against her own photo
# (a match) and against an impostor's (Eileen Collins: no match), then
# identifying her in a two-entry gallery. Everything is stopped on exit.
#
# Environment (set by the demo rule in tools/clip.mk): LANESIGHTD, LANESIGHTCTL,
# LSD_CLIP, LSD_MODELS, DEMO_PORTRAIT, IMPOSTOR_PORTRAIT; LSD_BACKEND (default cpu).
set -u
: "${LANESIGHTD:?}" "${LANESIGHTCTL:?}" "${LSD_CLIP:?}" "${LSD_MODELS:?}" "${DEMO_PORTRAIT:?}" "${IMPOSTOR_PORTRAIT:?}"
. "$(dirname "$0")/lib.sh"
trap lsd_stop EXIT
trap 'echo; echo "Interrupted."; exit 130' INT TERM
trap 'exit 141' HUP PIPE

start=$(date +%s%N)
elapsed() { echo "$(( ($(date +%s%N) - start) / 1000000 ))" | sed 's/\(...\)$/.\1/; s/^\./0./'; }
if [ -t 1 ]; then bold=$(printf '\033[1m'); plain=$(printf '\033[0m'); else bold=; plain=; fi
say() { printf '\n%s%s%s\n' "$bold" "$*" "$plain"; }
show() { printf '$ lanesightctl %s\n' "$*"; "$LANESIGHTCTL" "$@"; }

say "lanesight demo: a border-control lane on a recorded clip"
echo "Starting a private system bus (dbus-daemon) ..."
lsd_start_bus || exit 1
echo "Starting lanesightd on the embedded clip (file:$LSD_CLIP, backend ${LSD_BACKEND:-cpu}) ..."
lsd_start_daemon || exit 1
echo "lanesightd is up after $(elapsed) s."
show cameras | grep -E '^Camera|State|Format|Size|FrameRate'

say "[1/3] Genuine: the traveler is Grace Hopper, the reference photo is hers."
show verify --reference "$DEMO_PORTRAIT" --timeout 30; genuine=$?
echo "=> exit status $genuine (0: match)"
echo
echo "What every client sees (broadcast): boxes, detector score, quality, guidance; never a template."
show watch --count 3 --timeout 10

say "[2/3] Impostor: the same traveler against Eileen Collins' photo."
show verify --reference "$IMPOSTOR_PORTRAIT" --timeout 30; impostor=$?
echo "=> exit status $impostor (1: no match)"

say "[3/3] 1:N: enrol both photos in the (in-memory) gallery, identify the traveler."
show gallery add grace-hopper "$DEMO_PORTRAIT" && show gallery add eileen-collins "$IMPOSTOR_PORTRAIT" &&
        show identify --candidates 2 --timeout 30; identified=$?
echo "=> exit status $identified (0: the best candidate matches)"

say "Stopping lanesightd and the bus."
lsd_stop
if [ "$genuine" -eq 0 ] && [ "$impostor" -eq 1 ] && [ "$identified" -eq 0 ]; then
        echo "Demo OK in $(elapsed) s: the genuine traveler matched, the impostor's photo did not,"
        echo "and the gallery search found her. Nothing was stored: sessions and gallery lived in memory."
        exit 0
fi
echo "Demo FAILED: genuine=$genuine (want 0) impostor=$impostor (want 1) identify=$identified (want 0)" >&2
exit 1
