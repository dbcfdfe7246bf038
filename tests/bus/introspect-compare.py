#!/usr/bin/env python3
# Compares the org.lanesight.* interfaces a live object introspects to with
# the committed interface file (doc comments and whitespace ignored; member
# order ignored). Exit 0 when they agree, 1 with a diff otherwise.
#
#   introspect-compare.py COMMITTED.xml LIVE.xml IFACE...
import sys
import xml.etree.ElementTree as ET


def canon(e):
    kids = sorted(canon(c) for c in e if isinstance(c.tag, str))
    return (e.tag, tuple(sorted(e.attrib.items())), tuple(kids))


def interfaces(path):
    root = ET.parse(path).getroot()
    return {i.get("name"): i for i in root.iter("interface")}


def show(t, depth=0):
    tag, attrs, kids = t
    out = ["  " * depth + tag + " " + " ".join("%s=%s" % a for a in attrs)]
    for k in kids:
        out += show(k, depth + 1)
    return out


def main(argv):
    want, got = interfaces(argv[1]), interfaces(argv[2])
    ok = True
    for name in argv[3:]:
        if name not in want or name not in got:
            print("interface %s: committed %s, live %s" % (name, name in want, name in got))
            ok = False
            continue
        a, b = canon(want[name]), canon(got[name])
        if a != b:
            ok = False
            sa, sb = set(show(a)), set(show(b))
            for line in sorted(sa - sb):
                print("only committed: " + line.strip())
            for line in sorted(sb - sa):
                print("only live:      " + line.strip())
    live_ours = {n for n in got if n.startswith("org.lanesight.")}
    extra = live_ours - set(argv[3:])
    if extra:
        print("live interfaces not checked: " + " ".join(sorted(extra)))
        ok = False
    return 0 if ok else 1


sys.exit(main(sys.argv))
