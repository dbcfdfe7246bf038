#!/bin/sh
# lanesightctl's command line as systemctl and busctl users expect it: global
# options before or after the command (same result either way), COMMAND --help
# for every command --help lists, model lookup next to the program (a source
# tree's build/models) with a message naming where it looked, and the bash
# completion.
# Environment (set by make check): LANESIGHTCTL, LANESIGHT_TEST_MODELS,
# LANESIGHT_TEST_PORTRAIT, LANESIGHT_TEST_IMPOSTOR.
set -u
cd "$(dirname "$0")/../.." || exit 1
bin=${LANESIGHTCTL:?}; models=${LANESIGHT_TEST_MODELS:?}
grace=${LANESIGHT_TEST_PORTRAIT:?}; eileen=${LANESIGHT_TEST_IMPOSTOR:?}
unset LANESIGHT_MODEL_DIR
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
failed=0
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1"; failed=1; }
run() {         # run NAME EXPECTED_RC COMMAND... ; output in $tmp/NAME.out, .err
        n=$1; want=$2; shift 2
        "$@" >"$tmp/$n.out" 2>"$tmp/$n.err"; rc=$?
        [ "$rc" -eq "$want" ] && return 0
        echo "  $n: exit $rc, expected $want: $*"; sed 's/^/    /' "$tmp/$n.err" | head -5
        return 1
}
same() {        # same NAME A B: the two runs' stdout are identical and not empty
        if [ -s "$tmp/$2.out" ] && cmp -s "$tmp/$2.out" "$tmp/$3.out"; then pass "$1"; else
                echo "  $1: outputs differ:"; diff "$tmp/$2.out" "$tmp/$3.out" | head -6 | sed 's/^/    /'; fail "$1"; fi
}

# --- option order: before, between and after the arguments, and --opt=value.
if run before 1 "$bin" --json --models "$models" compare "$grace" "$eileen" &&
   run after 1 "$bin" compare "$grace" "$eileen" --json --models "$models" &&
   run between 1 "$bin" compare --json "$grace" --models="$models" "$eileen"; then
        same options-after-command before after
        same options-between-arguments before between
        grep -q '"match":false' "$tmp/after.out" && pass json-after-command || fail json-after-command
else fail option-order; fi
run thr 0 "$bin" compare "$grace" "$eileen" --models "$models" --threshold -1 &&
        grep -q 'MATCH (threshold -1.000)' "$tmp/thr.out" && pass threshold-after-command || fail threshold-after-command
run tpl 0 "$bin" template "$grace" -o "$tmp/t.bin" --models "$models" &&
        [ "$(head -c 4 "$tmp/t.bin")" = LSFT ] && pass output-after-command || fail output-after-command
# "--" ends the options: a file named like an option is an argument.
cp "$grace" "$tmp/--json"
run dashdash 0 "$bin" compare --models "$models" -- "$grace" "$tmp/--json" &&
        grep -q '^score .*MATCH' "$tmp/dashdash.out" && pass double-dash || fail double-dash
run badopt 2 "$bin" compare "$grace" "$eileen" --frobnicate &&
        grep -q "unknown option '--frobnicate'" "$tmp/badopt.err" && pass unknown-option-after-command ||
        fail unknown-option-after-command
run novalue 2 "$bin" compare "$grace" "$eileen" --threshold &&
        grep -q "needs a value" "$tmp/novalue.err" && pass missing-value || fail missing-value
# A bus command takes the global --json after its name too (no bus here: the error is JSON).
DBUS_SYSTEM_BUS_ADDRESS=unix:path=$tmp/no-bus run busjson 5 "$bin" status --json --backend cpu &&
        grep -q '^{"error":"service-unreachable"' "$tmp/busjson.out" && pass bus-command-json-after ||
        fail bus-command-json-after

# --- COMMAND --help, -h and help COMMAND for every command --help lists.
"$bin" --help | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p' | sort -u >"$tmp/verbs"
[ "$(wc -l <"$tmp/verbs")" -ge 8 ] && pass help-lists-commands || fail help-lists-commands
for v in $(cat "$tmp/verbs"); do
        if run "h-$v" 0 "$bin" "$v" --help && grep -q "^Usage: lanesightctl .*$v" "$tmp/h-$v.out" &&
           run "hs-$v" 0 "$bin" "$v" -h && run "hh-$v" 0 "$bin" help "$v" &&
           cmp -s "$tmp/h-$v.out" "$tmp/hs-$v.out" && cmp -s "$tmp/h-$v.out" "$tmp/hh-$v.out" &&
           ! grep -q '^Usage: lanesightctl \[OPTIONS\] COMMAND' "$tmp/h-$v.out"; then
                pass "help-$v"
        else fail "help-$v"; fi
done
# Help after the arguments is still the command's, and exits 0 without running it.
run late-help 0 "$bin" compare "$tmp/none.jpg" "$tmp/none.jpg" --help &&
        grep -q '^Usage: lanesightctl compare' "$tmp/late-help.out" && pass help-after-arguments ||
        fail help-after-arguments

# --- model lookup: models/ next to the program (as build/models is next to build/lanesightctl).
mkdir -p "$tmp/tree" "$tmp/bare"
cp "$bin" "$tmp/tree/lanesightctl"; cp "$bin" "$tmp/bare/lanesightctl"
ln -s "$(cd "$models" && pwd)" "$tmp/tree/models"
run found 1 "$tmp/tree/lanesightctl" compare "$grace" "$eileen" && pass models-next-to-program ||
        fail models-next-to-program
run notfound 4 "$tmp/bare/lanesightctl" compare "$grace" "$eileen" &&
        grep -q "looked for the models in '$tmp/bare/models' and '/" "$tmp/notfound.err" &&
        pass models-not-found-says-where || { cat "$tmp/notfound.err"; fail models-not-found-says-where; }
LANESIGHT_MODEL_DIR=$tmp/bare run envdir 4 "$tmp/tree/lanesightctl" compare "$grace" "$eileen" &&
        grep -q "looked for the models in '$tmp/bare' (" "$tmp/envdir.err" &&
        pass models-env-wins || fail models-env-wins

# --- bash completion: commands, a command's options after it, gallery actions.
if command -v bash >/dev/null; then
        complete_words() { # complete_words WORD... : COMPREPLY for the last word
                bash -c '. packaging/completion/lanesightctl.bash; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
                        COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; _lanesightctl; echo "${COMPREPLY[*]}"' _ "$@"
        }
        r=$(complete_words lanesightctl co); case " $r " in *" compare "*) pass completion-commands ;;
                *) echo "    got: $r"; fail completion-commands ;; esac
        r=$(complete_words lanesightctl --json verify --re); case " $r " in *" --reference "*) pass completion-verb-options ;;
                *) echo "    got: $r"; fail completion-verb-options ;; esac
        r=$(complete_words lanesightctl gallery ""); [ "$r" = "add remove list clear" ] && pass completion-gallery ||
                { echo "    got: $r"; fail completion-gallery; }
        r=$(complete_words lanesightctl --backend ""); [ "$r" = "cpu vulkan opencl" ] && pass completion-backend ||
                { echo "    got: $r"; fail completion-backend; }
else echo "SKIP: completion (no bash)"; fi
exit $failed
