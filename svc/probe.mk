# lanesight-probe: list cameras, show/set controls, capture test (svc/probe.c).
PROGRAMS += lanesight-probe
lanesight-probe_SOURCES := svc/probe.c
lanesight-probe_LIBS := camfile cam
lanesight-probe_INSTALL := bin
MAN_PAGES += docs/man/lanesight-probe.1
