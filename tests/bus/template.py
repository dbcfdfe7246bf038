#!/usr/bin/env python3
# Makes face templates for the bus tests, independent of the C encoder
# (face/template.h's wire format), and prints them as busctl "ay"
# arguments: "N b0 b1 ...".
#
#   template.py valid MODEL DIM          a unit vector, checksum right
#   template.py nan MODEL DIM            NaN values, checksum right
#   template.py unnormalised MODEL DIM   norm 2, checksum right
#   template.py from-busctl MODEL DIM    re-emits a template read from stdin
#                                        (busctl's "ay N b0 ...") unchanged
#   template.py garbage N                N bytes that are no template
#   template.py oversized                more than the 4096-dim maximum
import math
import struct
import sys


def fnv1a(h, data):
    for b in data:
        h ^= b
        h = (h * 16777619) & 0xFFFFFFFF
    return h


def envelope(model, values):
    dim = len(values)
    head = b"LSFT" + struct.pack("<HH", 1, 48) + model.encode().ljust(32, b"\0") + struct.pack("<I", dim)
    body = b"".join(struct.pack("<f", v) for v in values)
    csum = fnv1a(fnv1a(2166136261, head), body)
    return head + struct.pack("<I", csum) + body


def emit(data):
    print(len(data), " ".join(str(b) for b in data))


def main(argv):
    kind = argv[1]
    if kind == "garbage":
        emit(bytes((i * 37 + 11) & 0xFF for i in range(int(argv[2]))))
        return
    if kind == "oversized":
        emit(envelope("fr_feature", [1.0 / math.sqrt(8192)] * 8192))
        return
    model, dim = argv[2], int(argv[3])
    if kind == "valid":
        emit(envelope(model, [1.0 / math.sqrt(dim)] * dim))
    elif kind == "nan":
        emit(envelope(model, [float("nan")] * dim))
    elif kind == "unnormalised":
        emit(envelope(model, [2.0 / math.sqrt(dim)] * dim))
    else:
        raise SystemExit("unknown kind " + kind)


main(sys.argv)
