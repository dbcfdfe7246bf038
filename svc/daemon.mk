# lanesightd: the service.
PROGRAMS += lanesightd
lanesightd_SOURCES := svc/main.c svc/daemon.c svc/engine.c svc/work.c svc/analysis.c svc/polkit.c svc/camera.c svc/session.c svc/gallery.c svc/bus-util.c \
        svc/bus-manager.c svc/bus-camera.c svc/bus-session.c svc/bus-gallery.c
lanesightd_LIBS = lsdconf lsdlog $(FACE_PIPELINE_LIBS) camfile cam
lanesightd_PKGS := libsystemd
lanesightd_INSTALL := sbin
