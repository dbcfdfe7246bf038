#!/usr/bin/env python3
# A NOTIFY_SOCKET for the bus tests: binds an AF_UNIX SOCK_DGRAM socket at
# PATH and appends every datagram it receives to LOG, one assignment per
# line, each datagram followed by a "--" line. Runs until killed.
#
#   notify-listen.py PATH LOG [--timestamps]
# With --timestamps each datagram is preceded by "@SECONDS", CLOCK_MONOTONIC.
import socket
import sys
import time

stamps = "--timestamps" in sys.argv[3:]

s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as log:
    log.write("listening\n")
    while True:
        data = s.recv(65536)
        if stamps:
            log.write("@%.6f\n" % time.monotonic())
        log.write(data.decode(errors="replace").rstrip("\n") + "\n--\n")
