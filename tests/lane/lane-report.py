#!/usr/bin/env python3
# The lane benchmark's arithmetic (tests/lane/lane-bench.sh, docs/lane-bench.md).
#
#   lane-report.py traveler DIR      one traveler's result line (JSON) from DIR's manifest,
#                                    watch.jsonl, genuine.jsonl and impostor.jsonl
#   lane-report.py report --travelers N --out DIR RESULTS.jsonl
#                                    the table per condition, match rate per quality decile,
#                                    DIR/lane-bench.png (gnuplot) and, last, one JSON line
import json
import math
import os
import shlex
import subprocess
import sys

MIN_QUALITY = 60.0      # the service's default min_quality (docs/dbus-api.md)
WINDOWS = (5.0, 10.0)   # seconds after the stop


def read_manifest(path):
    m = {}
    with open(path) as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition("=")
            if key:
                words = shlex.split(value)
                m[key] = words[0] if words else ""
    for k in ("t_stop", "t_enter", "look_around", "ied_px"):
        m[k] = float(m[k])
    for k in ("fps", "frames", "width", "height", "index"):
        m[k] = int(m[k])
    return m


def read_jsonl(path):
    rows = []
    try:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    try:
                        rows.append(json.loads(line))
                    except ValueError:
                        pass
    except FileNotFoundError:
        pass
    return rows


def verdict(rows):
    """The last line of `lanesightctl --json verify`: score and match, or an error."""
    last = rows[-1] if rows else {"error": "no-output"}
    ref = next((r["reference"] for r in rows if isinstance(r.get("reference"), dict)), None)
    return last, ref


def traveler(d):
    m = read_manifest(os.path.join(d, "manifest"))
    frames = [r for r in read_jsonl(os.path.join(d, "watch.jsonl")) if "sequence" in r]
    gen, ref = verdict(read_jsonl(os.path.join(d, "genuine.jsonl")))
    imp, _ = verdict(read_jsonl(os.path.join(d, "impostor.jsonl")))
    fps = m["fps"]
    res = {"index": m["index"], "person": m["person"], "conditions": m["conditions"].split(),
           "format": "%dp%d" % (m["height"], fps), "t_stop": m["t_stop"]}

    # Clip time of a frame, from its timestamp: the paced file camera stamps frame k at start + k / fps.
    clip_t = None
    if frames:
        f0 = frames[0]
        start = f0["timestamp_usec"] - f0["sequence"] * 1e6 / fps
        clip_t = lambda f: (f["timestamp_usec"] - start) / 1e6
    if "error" in gen:
        res["captured"] = False
        res["error"] = gen.get("error")
        if gen.get("error") not in ("timeout",):
            res["reference_error"] = True
    else:
        res["captured"] = True
        res["quality"] = gen.get("quality")
        res["score"] = gen.get("score")
        res["match"] = bool(gen.get("match"))
    if ref is not None and isinstance(ref.get("quality"), dict):
        res["reference_quality"] = ref["quality"].get("score")

    # The captured frame: the first after the traveler entered with guidance ok and the captured quality.
    cap = None
    if res["captured"] and clip_t:
        q = res["quality"]
        for f in frames:
            fq = max([x.get("quality", 0) for x in f["faces"]] or [0])
            if f["guidance"] == "ok" and fq >= MIN_QUALITY - 0.05 and abs(fq - q) <= 0.051 and \
                    clip_t(f) >= m["t_enter"] - 1.0:
                cap = f
                break
        if cap:
            res["capture_t"] = round(clip_t(cap), 3)
            res["ttc_s"] = round(clip_t(cap) - m["t_stop"], 3)
        else:
            res["error"] = "capture frame not found in the watch log"

    # Guidance the traveler saw, frame by frame, from entering to the capture (or the end of the window).
    end = res.get("capture_t", m["t_stop"] + WINDOWS[-1])
    counts, n = {}, 0
    if clip_t:
        for f in frames:
            t = clip_t(f)
            if m["t_enter"] <= t < end:
                counts[f["guidance"]] = counts.get(f["guidance"], 0) + 1
                n += 1
        span = max(end - m["t_enter"], 1e-3)
        res["processed_fps"] = round(n / span, 2)
    res["guidance"] = counts
    if res["captured"]:
        if "error" in imp:
            res["impostor_error"] = imp.get("error")
        else:
            res["impostor_score"] = imp.get("score")
            res["impostor_match"] = bool(imp.get("match"))
    print(json.dumps(res, separators=(",", ":")))


def pct(values, p):
    if not values:
        return None
    v = sorted(values)
    k = (len(v) - 1) * p / 100.0
    lo, hi = math.floor(k), math.ceil(k)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def rate(num, den):
    return num / den if den else None


def summary(rows):
    """Figures over rows (travelers whose document photo was usable)."""
    n = len(rows)
    ttc = [max(r["ttc_s"], 0.0) if "ttc_s" in r else math.inf for r in rows]
    caught = [t for t in ttc if t <= WINDOWS[-1]]
    gen = [r for r in rows if r.get("captured") and "match" in r]
    imp = [r for r in rows if "impostor_match" in r]
    g = {}
    for r in rows:
        for k, v in r.get("guidance", {}).items():
            g[k] = g.get(k, 0) + v
    return {
        "travelers": n,
        "capture_rate_5s": rate(sum(t <= WINDOWS[0] for t in ttc), n),
        "capture_rate_10s": rate(len(caught), n),
        "ttc_p50_s": pct(caught, 50),
        "ttc_p95_s": pct(caught, 95),
        "genuine_match_rate": rate(sum(r["match"] for r in gen), len(gen)),
        "false_match_rate": rate(sum(r["impostor_match"] for r in imp), len(imp)),
        "impostor_comparisons": len(imp),
        "guidance": g,
        "processed_fps": pct([r["processed_fps"] for r in rows if "processed_fps" in r], 50),
    }


def fmt(v, percent=False, digits=2):
    if v is None:
        return "-"
    return ("%.1f%%" % (100 * v)) if percent else ("%.*f" % (digits, v))


def report(args):
    travelers, first, out, path = None, 0, ".", None
    i = 0
    while i < len(args):
        if args[i] == "--travelers":
            travelers, i = int(args[i + 1]), i + 2
        elif args[i] == "--from":
            first, i = int(args[i + 1]), i + 2
        elif args[i] == "--out":
            out, i = args[i + 1], i + 2
        else:
            path, i = args[i], i + 1
    rows = [r for r in read_jsonl(path) if travelers is None or first <= r.get("index", 0) < travelers]
    broken = [r for r in rows if r.get("reference_error") or "conditions" not in r]
    rows = [r for r in rows if r not in broken]
    by = {"all": rows}
    for r in rows:
        for c in r["conditions"] + [r["format"]]:
            by.setdefault(c, []).append(r)
    order = ["all", "baseline"] + sorted(k for k in by if k not in ("all", "baseline") and not k[0].isdigit()) + \
        sorted(k for k in by if k[0].isdigit())
    print("Lane benchmark: %d travelers (%d more not counted: the document photo was unusable or the run failed)"
          % (len(rows), len(broken)))
    head = "%-12s %5s %8s %8s %7s %7s %8s %8s %6s  %s" % (
        "condition", "n", "cap<=5s", "cap<=10s", "ttc p50", "ttc p95", "genuine", "false", "fps",
        "guidance frames before capture, per traveler")
    print(head)
    print("-" * len(head))
    plot = []
    for k in order:
        if k not in by:
            continue
        s = summary(by[k])
        g = sorted(s["guidance"].items(), key=lambda kv: -kv[1])
        gtxt = " ".join("%s %.1f" % (name, cnt / max(s["travelers"], 1)) for name, cnt in g[:4])
        print("%-12s %5d %8s %8s %7s %7s %8s %8s %6s  %s" % (
            k, s["travelers"], fmt(s["capture_rate_5s"], True), fmt(s["capture_rate_10s"], True),
            fmt(s["ttc_p50_s"]), fmt(s["ttc_p95_s"]), fmt(s["genuine_match_rate"], True),
            fmt(s["false_match_rate"], True), fmt(s["processed_fps"], digits=1), gtxt))
        plot.append((k, s["capture_rate_5s"] or 0, s["capture_rate_10s"] or 0, s["travelers"]))

    # Does the quality score predict the match? Genuine captures by quality decile.
    caps = sorted((r["quality"], r["match"]) for r in rows if "match" in r and r.get("quality") is not None)
    if caps:
        print("\nGenuine match rate per quality decile of the captures (%d captures)" % len(caps))
        print("%-8s %-15s %5s %8s" % ("decile", "quality", "n", "match"))
        for d in range(10):
            part = caps[len(caps) * d // 10: len(caps) * (d + 1) // 10]
            if part:
                print("%-8d %6.1f..%-6.1f %5d %8s" % (d + 1, part[0][0], part[-1][0], len(part),
                                                    fmt(rate(sum(m for _, m in part), len(part)), True)))

    png = os.path.join(out, "lane-bench.png")
    dat = os.path.join(out, "lane-bench.dat")
    with open(dat, "w") as f:
        for k, c5, c10, n in plot:
            f.write('"%s\\n(n=%d)" %.4f %.4f\n' % (k, n, 100 * c5, 100 * c10))
    gp = ('set terminal pngcairo size 1400,600 font ",10"; set output "%s";'
          'set title "Lane benchmark: capture rate by condition (%d travelers)";'
          'set ylabel "capture rate (%%)"; set yrange [0:118]; set grid ytics;'
          'set style data histograms; set style histogram clustered gap 1; set style fill solid 0.8 border -1;'
          'set key top center horizontal; set xtics rotate by -35 font ",9";'
          'set arrow from graph 0, first 97 to graph 1, first 97 nohead dt 2 lc rgb "red";'
          'plot "%s" using 2:xtic(1) title "within 5 s of stopping", "" using 3 title "within 10 s (goal 97 %%)"'
          % (png, len(rows), dat))
    try:
        r = subprocess.run(["gnuplot", "-e", gp], capture_output=True, text=True)
        if r.returncode != 0:
            print("lane-bench: gnuplot failed: %s" % r.stderr.strip(), file=sys.stderr)
        else:
            print("\nPlot: %s" % png)
    except FileNotFoundError:
        print("lane-bench: no gnuplot: no plot (apt-get install gnuplot-nox)", file=sys.stderr)

    s = summary(rows)
    keys = ("travelers", "capture_rate_5s", "capture_rate_10s", "ttc_p50_s", "ttc_p95_s", "genuine_match_rate",
            "false_match_rate")
    print(json.dumps({k: (round(s[k], 4) if isinstance(s[k], float) else s[k]) for k in keys}))


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "traveler":
        traveler(sys.argv[2])
    elif len(sys.argv) >= 3 and sys.argv[1] == "report":
        report(sys.argv[2:])
    else:
        print(__doc__ or "usage: lane-report.py traveler DIR | report --travelers N --out DIR RESULTS", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
