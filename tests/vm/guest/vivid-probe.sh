#!/bin/sh
# lanesight-probe against vivid; sourced by vivid.sh with PROBE, SP (single-
# planar node), MP (multi-planar node), W, H, FPS, FRAMES, FPS_MIN,
# VIVID_OPTS and its helpers (pass, fail, ok, indent, now_ms, section,
# vivid_node). The probe's JSON (one object per line, documented at the top
# of tools/probe.c) is checked with jq; the driver's own view (v4l2-ctl) is the
# oracle where there is one. jq is slow to start under TCG, so each JSON file
# is checked by one jq run: jchecks FILE PROGRAM, where PROGRAM yields
# [name, condition] pairs, prints one result line per pair.
jchecks() {
        f=$1; shift
        # The formatter is appended to the last argument, the program.
        # shellcheck disable=SC2145
        if ! jq -r "$@"' | .[] | (if .[1] == true then "PASS: " else "FAIL: " end) + .[0]' "$f" 2>/tmp/jq.err; then
                fail "jq on $f: $(cat /tmp/jq.err)"
        fi
}
# A JSON array of strings from lines on stdin.
json_lines() { sed 's/\\/\\\\/g; s/"/\\"/g; s/.*/"&"/' | paste -sd, | sed 's/.*/[&]/'; }

# --- list -------------------------------------------------------------------
t0=$(now_ms)
timeout 60 $PROBE list --json >/tmp/list.json 2>/tmp/list.err
rc=$?
echo "  | probe list: $(( $(now_ms) - t0 )) ms, exit status $rc"
ok "probe list --json: exit status 0" test "$rc" -eq 0
sed 's/^/  | stderr: /' /tmp/list.err
jq -c '(.cameras[] | {node, card, bus_info, mplane, links, n_formats: (.formats | length),
                      fourccs: [.formats[].fourcc][0:12], n_controls: (.controls | length)}),
       (.cameras[] | {node, f: [.formats[] | select(.fourcc == "YUYV" or .fourcc == "NV12" or .fourcc == "NM12") |
                      {fourcc, s: [.sizes[] | select(.width == 1280 and .height == 720)]}]}),
       {skipped}' /tmp/list.json 2>&1 | indent
# The driver's formats in its order, and its scalar controls (the probe skips
# compound ones by design), as v4l2-ctl sees them.
for n in SP MP; do
        node=$SP; [ "$n" = MP ] && node=$MP
        v4l2-ctl -d "$node" --list-formats 2>/dev/null |
                sed -n "s/^[[:space:]]*\[[0-9]*\]: '\([^']*\)'.*/\1/p" | sed 's/ *$//' | json_lines >/tmp/formats-$n.json
        v4l2-ctl -d "$node" -l 2>/dev/null | grep -v 'has-payload' |
                sed -n 's/^ *\([a-z0-9_]*\) 0x[0-9a-f]\{8\} (\(int\|bool\|menu\|intmenu\|bitmask\|button\|int64\)).*/\1/p' |
                sort | json_lines >/tmp/controls-$n.json
done
jchecks /tmp/list.json --arg sp "$SP" --arg mp "$MP" --argjson w "$W" --argjson h "$H" --argjson fps "$FPS" \
        --slurpfile fsp /tmp/formats-SP.json --slurpfile fmp /tmp/formats-MP.json \
        --slurpfile csp /tmp/controls-SP.json --slurpfile cmp /tmp/controls-MP.json '
        def cam($n): [(.cameras // [])[] | select(.node == $n)];
        def fourccs($n): [(cam($n)[0].formats // [])[].fourcc | rtrimstr(" ")];
        def keys_($n): [(cam($n)[0].controls // [])[].key] | sort;
        def rate($n; $fcc): [(cam($n)[0].formats // [])[] | select(.fourcc == $fcc) | .sizes[] |
                             select(.width == $w and .height == $h) | .fps[] | select(. == $fps)] | length == 1;
        def brightness($n): [(cam($n)[0].controls // [])[] | select(.key == "brightness" and .min == 0 and .max == 255
                             and .default == 128)] | length == 1;
        [
          ["probe list: sees \($sp) and \($mp)", (cam($sp) | length) == 1 and (cam($mp) | length) == 1],
          ["probe list: \($sp) single-planar, \($mp) multi-planar", cam($sp)[0].mplane == false and cam($mp)[0].mplane == true],
          ["probe list: \($sp) lists the driver'"'"'s \($fsp[0] | length) formats in order", fourccs($sp) == $fsp[0]],
          ["probe list: \($mp) lists the driver'"'"'s \($fmp[0] | length) formats in order (NV12 and NM12 among them)",
           fourccs($mp) == $fmp[0] and (fourccs($mp) | index(["NV12"]) != null and index(["NM12"]) != null)],
          ["probe list: \($sp) lists the driver'"'"'s \($csp[0] | length) scalar controls", keys_($sp) == $csp[0]],
          ["probe list: \($mp) lists the driver'"'"'s \($cmp[0] | length) scalar controls", keys_($mp) == $cmp[0]],
          ["probe list: \($sp) offers YUYV \($w)x\($h) at \($fps) fps", rate($sp; "YUYV")],
          ["probe list: \($mp) offers NV12 \($w)x\($h) at \($fps) fps", rate($mp; "NV12")],
          ["probe list: brightness 0..255, default 128 on both", brightness($sp) and brightness($mp)],
          ["probe list: by-path link reported", ([(.cameras // [])[].links[]? | select(startswith("/dev/v4l/by-path/"))] | length >= 1)],
          ["probe list: nothing skipped (vivid has capture nodes only)", .skipped == []]
        ]'

# --- capture ----------------------------------------------------------------
section probe capture
# capture NODE FOURCC N_MEMORY: 1280x720 at 30 fps, FRAMES frames, MMAP + EXPBUF.
capture() {
        f=/tmp/capture-$2.json
        t0=$(now_ms)
        timeout 60 $PROBE capture --device "$1" --size "${W}x${H}" --format "$2" --fps "$FPS" --frames "$FRAMES" \
                --json >"$f" 2>/tmp/capture.err
        rc=$?
        t1=$(now_ms)
        indent <"$f"
        sed 's/^/  | stderr: /' /tmp/capture.err
        echo "  | ($(( t1 - t0 )) ms wall clock, exit status $rc)"
        jq -r '"  | \(.frames) frames in \(.duration_s) s: camera \(.fps) fps, delivered \(.delivered_fps) fps, \(.dropped) dropped (newest wins), \(.sequence_gaps) sequence gaps, dma-buf \(.dmabuf)"' "$f" 2>/dev/null
        ok "probe capture $2 on $1: exit status 0" test "$rc" -eq 0
        # The camera's rate (sequence numbers per second) is vivid's timer:
        # 30 +- 10%. What reached the probe depends on how often TCG lets the
        # guest run (FPS_MIN).
        jchecks "$f" --arg d "$1" --arg fcc "$2" --argjson mem "$3" --argjson w "$W" --argjson h "$H" \
                --argjson fps "$FPS" --argjson frames "$FRAMES" --argjson min "$FPS_MIN" '
                [
                  ["probe capture \($fcc) on \($d): granted \($w)x\($h) \($fcc) at \($fps) fps, \($mem) memory plane(s)",
                   .result == "ok" and .format.fourcc == $fcc and .format.width == $w and .format.height == $h
                   and .format.fps_num == $fps * .format.fps_den and .format.n_memory == $mem],
                  ["probe capture \($fcc) on \($d): \($frames) frames, no errors, zero-copy",
                   .frames == $frames and .errors == 0 and .bytes_copied == 0 and .converted == false
                   and .output_fourcc == $fcc],
                  ["probe capture \($fcc) on \($d): EXPBUF (dma-buf) yes", .dmabuf == true],
                  ["probe capture \($fcc) on \($d): camera rate \($fps) fps +- 10%", .fps >= $fps * 0.9 and .fps <= $fps * 1.1],
                  ["probe capture \($fcc) on \($d): delivered >= \($min) fps", .delivered_fps >= $min and .delivered_fps <= $fps * 1.1]
                ]'
}
capture "$SP" YUYV 1
capture "$MP" NV12 1
capture "$MP" NM12 2

# By stable name. Both vivid instances hang off one platform device, so they
# share an ID_PATH and udev's by-path link names one of them (the last added).
link=$(ls /dev/v4l/by-path/* 2>/dev/null | head -n 1)
timeout 60 $PROBE capture --device "$link" --frames 10 --json >/tmp/link.json 2>&1
rc=$?
jq -c '{device, node, format: .format.fourcc, frames, result}' /tmp/link.json 2>&1 | indent
ok "probe capture by-path link: exit status 0" test "$rc" -eq 0
jchecks /tmp/link.json --arg link "$link" --arg node "$(readlink -f "$link")" '
        [["probe capture by-path link: opened \($node), 10 frames",
          .device == $link and .node == $node and .frames == 10 and .result == "ok"]]'

# --- controls -----------------------------------------------------------------
section probe controls
timeout 60 $PROBE controls --device "$SP" --json brightness=200 >/tmp/set.json 2>&1
rc=$?
timeout 60 $PROBE controls --device "$SP" --json >/tmp/get.json 2>&1
jq -c '.set' /tmp/set.json 2>&1 | indent
ok "probe controls brightness=200: exit status 0" test "$rc" -eq 0
jchecks /tmp/set.json '[["probe controls brightness=200: set without error",
        ([(.set // [])[] | select(.name == "brightness" and .value == 200 and .error == null)] | length == 1)]]'
jchecks /tmp/get.json '[["probe controls: brightness reads back 200",
        [(.controls // [])[] | select(.key == "brightness") | .value] == [200]]]'
ok "v4l2-ctl: brightness is 200 in the driver" sh -c "v4l2-ctl -d '$SP' -C brightness | grep -qx 'brightness: 200'"
timeout 60 $PROBE controls --device "$SP" --json brightness=999 >/tmp/bad.json 2>&1
rc=$?
jq -c '.set' /tmp/bad.json 2>&1 | indent
ok "probe controls brightness=999: refused (exit status $rc)" test "$rc" -ne 0
jchecks /tmp/bad.json '[["probe controls brightness=999: ERANGE",
        ([(.set // [])[] | select(.name == "brightness" and .error == "ERANGE")] | length == 1)]]'
ok "v4l2-ctl: brightness still 200" sh -c "v4l2-ctl -d '$SP' -C brightness | grep -qx 'brightness: 200'"
v4l2-ctl -d "$SP" -c brightness=128

# --- hot-unplug / re-plug -------------------------------------------------------
section probe hotplug
# The probe streams with --reconnect 30. vivid is unplugged by unbinding its
# platform device (as pulling a USB camera: the nodes vanish under the open fd;
# `modprobe -r vivid` alone is refused while a node is open, the module being
# in use), then the module is removed and loaded again.
HP_FRAMES=240
timeout 120 $PROBE capture --device "$SP" --size "${W}x${H}" --format YUYV --fps "$FPS" --frames $HP_FRAMES \
        --reconnect 30 --timeout 5000 --json >/tmp/hotplug.json 2>/tmp/hotplug.err &
probe_pid=$!
t_start=$(now_ms)
sleep 3
modprobe -r vivid 2>/tmp/rmmod.err
echo "  | modprobe -r vivid while streaming: exit status $? ($(cat /tmp/rmmod.err))"
t_unplug=$(now_ms)
echo vivid.0 >/sys/bus/platform/drivers/vivid/unbind
# The module can go once the probe has closed the dead node.
removed=no
for _ in $(seq 100); do
        if modprobe -r vivid 2>/dev/null; then removed=yes; break; fi
        sleep 0.1
done
t_removed=$(now_ms)
ok "hotplug: vivid unbound and removed (modprobe -r) while the probe waits" test "$removed" = yes
sleep 2
t_replug=$(now_ms)
modprobe vivid $VIVID_OPTS
t_loaded=$(now_ms)
udevadm settle -t 30
wait $probe_pid
rc=$?
t_end=$(now_ms)
indent </tmp/hotplug.json
sed 's/^/  | stderr: /' /tmp/hotplug.err
echo "  | timeline (ms from probe start): unplug $(( t_unplug - t_start )), module removed $(( t_removed - t_start )), modprobe $(( t_replug - t_start ))..$(( t_loaded - t_start )), probe done $(( t_end - t_start ))"
jq -r '"  | probe: disconnected at \(.events[0].t_s) s (\(.events[0].error)), reconnected at \(.events[1].t_s) s to \(.events[1].node), down \(.events[1].downtime_s) s"' /tmp/hotplug.json 2>/dev/null
ok "hotplug: probe exit status 0" test "$rc" -eq 0
# On the guest's clock (the probe's t_s count from its start, a little after
# t_start): reconnected after the module came back, and within 10 s of it.
jchecks /tmp/hotplug.json --argjson frames "$HP_FRAMES" --argjson w "$W" \
        --argjson replug "$(( t_replug - t_start ))" --argjson loaded "$(( t_loaded - t_start ))" '
        [
          ["hotplug: disconnected (ENODEV) then reconnected",
           .disconnects == 1 and .reconnects == 1 and ([(.events // [])[].event] == ["disconnected", "reconnected"])
           and .events[0].error == "ENODEV"],
          ["hotplug: kept streaming, \($frames) frames, result ok",
           .result == "ok" and .frames == $frames and .format.fourcc == "YUYV" and .format.width == $w and .dmabuf == true],
          ["hotplug: reconnected after the re-plug, within 10 s",
           (.events[1].t_s // -1) * 1000 >= $replug and (.events[1].t_s // -1) * 1000 <= $loaded + 10000]
        ]'
SP=$(vivid_node 0) || SP=""
MP=$(vivid_node 1) || MP=""

# --- nodes that are not cameras ---------------------------------------------------
section probe skips output and metadata nodes
# One vivid instance with a video capture, a video output and a metadata
# capture node (node_types bits 0, 8, 17), loaded on its own so that its
# by-path link cannot shadow the capture-only instances above.
modprobe -r vivid && modprobe vivid n_devs=1 node_types=0x20101 && udevadm settle -t 30
cap=$(vivid_node 0) || cap=""
out=""; meta=""
for n in /sys/class/video4linux/video*; do
        case "$(cat "$n/name" 2>/dev/null)" in
        vivid-000-vid-out) out=/dev/${n##*/} ;;
        vivid-000-meta-cap) meta=/dev/${n##*/} ;;
        esac
done
echo "  | capture $cap, output $out, metadata $meta"
timeout 60 $PROBE list --json >/tmp/list3.json 2>/tmp/list3.err
rc=$?
jq -c '{cameras: [.cameras[].node], skipped}' /tmp/list3.json 2>&1 | indent
ok "probe list with output/metadata nodes: exit status 0" test "$rc" -eq 0
jchecks /tmp/list3.json --arg cap "$cap" --arg out "$out" --arg meta "$meta" '
        def skipped($n): [(.skipped // [])[] | select(.node == $n and .error == "EMEDIUMTYPE")] | length == 1;
        [
          ["probe list: only the capture node \($cap) is a camera", [(.cameras // [])[].node] == [$cap]],
          ["probe list: output node \($out) skipped (EMEDIUMTYPE)", $out != "" and skipped($out)],
          ["probe list: metadata node \($meta) skipped (EMEDIUMTYPE)", $meta != "" and skipped($meta)]
        ]'
timeout 60 $PROBE capture --device "$out" --frames 1 >/dev/null 2>/tmp/out.err
rc=$?
sed 's/^/  | stderr: /' /tmp/out.err
ok "probe capture on the output node: refused, exit status 3 (got $rc)" test "$rc" -eq 3
