# lanesight-probe: list cameras, show/set controls, capture test (tools/probe.c).
PROGRAMS += lanesight-probe
lanesight-probe_SOURCES := tools/probe.c
lanesight-probe_LIBS := camfile cam
lanesight-probe_INSTALL := bin
MAN_PAGES += docs/man/lanesight-probe.1
