#!/bin/sh
# lanesight-lanesim's draws on a tiny photo set (three "people" of two photos
# each, made of the demo portraits): the same traveler twice is the same
# manifest, the live photo is never the document photo, the impostor is
# someone else, and too small a set is refused. The clip itself is checked by
# the lane benchmark (it takes seconds per traveler to render).
# Environment (tools/lanesim.mk): LANESIGHT_LANESIM, LANESIGHT_TEST_PORTRAIT,
# LANESIGHT_TEST_NOFACE (two JPEGs).
set -u
lanesim=${LANESIGHT_LANESIM:?} a=${LANESIGHT_TEST_PORTRAIT:?} b=${LANESIGHT_TEST_NOFACE:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-lanesim.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { if "$@"; then echo "PASS: $name"; else echo "FAIL: $name"; fail=1; fi; }

for p in Ada_One Bob_Two Cy_Three; do
        mkdir -p "$tmp/set/$p"
        cp "$a" "$tmp/set/$p/${p}_0001.jpg"
        cp "$b" "$tmp/set/$p/${p}_0002.jpg"
done
mkdir -p "$tmp/set/Solo_Person" && cp "$a" "$tmp/set/Solo_Person/Solo_Person_0001.jpg"

name=deterministic
"$lanesim" --data "$tmp/set" --index 7 --seed 3 --out "$tmp/t1" --manifest-only &&
        "$lanesim" --data "$tmp/set" --index 7 --seed 3 --out "$tmp/t2" --manifest-only
check cmp -s "$tmp/t1/manifest" "$tmp/t2/manifest"

name=photos-drawn-right
ok=true
for i in 0 1 2 3 4 5 6 7 8 9; do
        "$lanesim" --data "$tmp/set" --index $i --out "$tmp/m$i" --manifest-only || ok=false
        (
                . "$tmp/m$i/manifest"
                # Live and document: two different photos of the traveler; the impostor: another person;
                # one-photo people never drawn.
                [ "$live" != "$document" ] && [ "${live%/*}" = "${document%/*}" ] &&
                        [ "${impostor%/*}" != "${document%/*}" ] && [ "$person" != Solo_Person ] &&
                        [ "$index" = "$i" ] && [ -n "$conditions" ] && [ "$t_stop" != "" ]
        ) || ok=false
done
check $ok

name=seeds-differ
"$lanesim" --data "$tmp/set" --index 7 --seed 4 --out "$tmp/t3" --manifest-only
check test -n "$(cmp "$tmp/t1/manifest" "$tmp/t3/manifest" 2>&1)"

name=too-few-people
rm -rf "$tmp/set/Bob_Two" "$tmp/set/Cy_Three"
"$lanesim" --data "$tmp/set" --index 0 --out "$tmp/x" --manifest-only 2>"$tmp/err"
rc=$?
check test "$rc" -eq 1 -a -s "$tmp/err" -a ! -e "$tmp/x/manifest"

name=usage
"$lanesim" --index 0 --out "$tmp/y" 2>/dev/null
check test $? -eq 2
exit $fail
