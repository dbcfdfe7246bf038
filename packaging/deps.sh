#!/bin/sh
# Install lanesight's Debian 12 build and test dependencies.
#
#   packaging/deps.sh [build|check|vm|package|all]...
#
# As root, installs what is missing with apt-get (idempotent, silent when all
# is present). As another user, prints the exact apt-get line to run.
set -eu

pkgs_build="build-essential pkg-config libsystemd-dev libv4l-dev libdrm-dev
  libvulkan-dev glslc ocl-icd-opencl-dev opencl-c-headers opencl-clhpp-headers
  libprotobuf-c-dev protobuf-c-compiler libjpeg62-turbo-dev libpng-dev
  libopenjp2-7-dev libinih-dev"
pkgs_check="valgrind clang mesa-vulkan-drivers pocl-opencl-icd dbus dbus-bin
  v4l-utils python3 python3-dbusmock groff-base"
pkgs_vm="qemu-system-x86 busybox-static xz-utils cpio zstd debootstrap v4l-utils jq"
# devscripts: hardening-check; blhc: the build log check of `make deb` (packaging/check-build.sh);
# cpio: check-packages.sh unpacks the .rpm files.
pkgs_package="debhelper devscripts lintian rpm fakeroot blhc cpio"

want=""
[ $# -eq 0 ] && set -- build
for what in "$@"; do
        case "$what" in
        build)   want="$want $pkgs_build" ;;
        check)   want="$want $pkgs_build $pkgs_check" ;;
        vm)      want="$want $pkgs_vm" ;;
        package) want="$want $pkgs_build $pkgs_package" ;;
        all)     want="$want $pkgs_build $pkgs_check $pkgs_vm $pkgs_package" ;;
        *) echo "deps.sh: unknown set '$what' (build, check, vm, package, all)" >&2; exit 2 ;;
        esac
done

# npm fetches the model weights. Some machines carry a newer Node.js whose
# bundled npm conflicts with Debian's npm package: only ask for it if absent.
command -v npm >/dev/null 2>&1 || want="$want nodejs npm"

missing=""
for p in $want; do
        case " $missing " in *" $p "*) continue ;; esac
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
                missing="$missing $p"
        fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
        echo "lanesight needs these Debian packages; as root, run:" >&2
        echo "  apt-get install -y --no-install-recommends$missing" >&2
        exit 1
fi

echo "deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have no package lists yet.
if ! apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1; then
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
