# The Y4M file source (a cam_source that plays .y4m files) and its parser.
# A library of its own so tools can link it next to libcam: LIBS := cam camfile.
LIBRARIES += camfile
camfile_SOURCES := v4l2/y4m.c v4l2/file-source.c
