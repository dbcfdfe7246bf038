#!/bin/sh
# Check built lanesight packages (.deb or .rpm). lanesight: every program,
# unit, bus file, sysusers/tmpfiles entry, catalog, man page and shell
# completion is in it, it depends on lanesight-models, and the maintainer
# scripts do what Debian/RPM policy wants. lanesight-models: architecture
# independent, every model of models/MANIFEST with its checksum, its
# provenance and licences. Neither ships anything unexpected. Run by
# `make deb` and `make rpm` at the end; prints PASS/FAIL lines, exits 1 on
# any FAIL.
#
#   packaging/check-packages.sh PACKAGE...
set -eu

manifest=${MANIFEST:-models/MANIFEST}
fails=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check_one() {
        pkg=$(readlink -f "$1")
        root=$tmp/root
        rm -rf "$root" && mkdir -p "$root"
        case "$pkg" in
        *.deb)
                kind=deb
                dpkg-deb -c "$pkg" | awk '{print $6}' | sed 's|^\./|/|' | grep -v '/$' | sort >"$tmp/list"
                dpkg-deb -x "$pkg" "$root"
                rm -rf "$tmp/control"
                dpkg-deb -e "$pkg" "$tmp/control"
                name=$(dpkg-deb -f "$pkg" Package)
                arch=$(dpkg-deb -f "$pkg" Architecture)
                depends=$(dpkg-deb -f "$pkg" Depends)
                cat "$tmp"/control/postinst "$tmp"/control/prerm "$tmp"/control/postrm \
                        >"$tmp/scripts" 2>/dev/null || true
                ;;
        *.rpm)
                kind=rpm
                # Directories owned by the package (/usr/share/lanesight/...) are listed too.
                rpm -qlp --nosignature "$pkg" 2>/dev/null | sort >"$tmp/list.all"
                (cd "$root" && rpm2cpio "$pkg" | cpio -idm --quiet)
                (cd "$root" && find . ! -type d | sed 's|^\.||' | sort) >"$tmp/list"
                rpm -qp --nosignature --scripts "$pkg" >"$tmp/scripts" 2>/dev/null
                name=$(rpm -qp --nosignature --qf '%{NAME}' "$pkg" 2>/dev/null)
                arch=$(rpm -qp --nosignature --qf '%{ARCH}' "$pkg" 2>/dev/null)
                depends=$(rpm -qp --nosignature --requires "$pkg" 2>/dev/null | tr '\n' ',')
                ;;
        *) fail "$pkg: not a .deb or .rpm"; return ;;
        esac
        echo "== $pkg ($name, $(wc -l <"$tmp/list") files)"
        case "$name" in
        lanesight) check_service ;;
        lanesight-models) check_models ;;
        *) fail "$pkg: unknown package name '$name'" ;;
        esac
}

check_models() {
        case "$arch" in all|noarch) pass "$kind $name is architecture independent ($arch)" ;;
                *) fail "$kind $name has architecture $arch, not all/noarch" ;; esac
        # Models: each MANIFEST id, byte-identical to the verified checksum.
        sed -n 's/^\([a-z0-9][a-z0-9._-]*\)[[:space:]]\{1,\}[^[:space:]]\{1,\}[[:space:]]\{1,\}[^[:space:]]\{1,\}[[:space:]]\{1,\}\([0-9a-f]\{64\}\).*/\1 \2/p' \
                "$manifest" >"$tmp/models"
        [ -s "$tmp/models" ] || fail "no model ids read from $manifest"
        while read -r id sum; do
                f=$root/usr/share/lanesight/models/$id.onnx
                if [ ! -f "$f" ]; then
                        fail "$kind lacks model $id"
                elif [ "$(sha256sum "$f" | cut -d' ' -f1)" = "$sum" ]; then
                        pass "$kind model $id matches its sha256"
                else
                        fail "$kind model $id has a wrong sha256"
                fi
        done <"$tmp/models"

        # Provenance and licences: the MIT text must travel with the embedder.
        for f in PROVENANCE MANIFEST; do
                if grep -Eq "^/usr/share/doc/lanesight-models(-[0-9][^/]*)?/$f(\\.gz)?$" "$tmp/list"; then
                        pass "$kind $name has $f"; else fail "$kind $name lacks $f"; fi
        done
        if [ $kind = deb ]; then
                c=$root/usr/share/doc/lanesight-models/copyright
                if grep -q 'Permission is hereby granted' "$c" 2>/dev/null && grep -q 'Apache-2.0' "$c"; then
                        pass "$kind $name copyright has the MIT text and names Apache-2.0"
                else fail "$kind $name copyright lacks a licence"; fi
        else
                # Versioned (/usr/share/licenses/NAME-VERSION) with Debian's rpm.
                n=$(grep -Ec '^/usr/share/licenses/lanesight-models(-[0-9][^/]*)?/[a-z0-9._-]+\.LICENSE$' "$tmp/list" || true)
                [ "$n" -ge 3 ] && pass "$kind $name has $n licence files" || fail "$kind $name has $n licence files"
        fi
        extra=$(grep -Ev '^/usr/share/(doc|licenses)/lanesight-models(-[0-9][^/]*)?/|^/usr/share/lanesight/models/[a-z0-9._-]+\.onnx$' \
                "$tmp/list" || true)
        if [ -z "$extra" ]; then pass "$kind $name ships no unexpected file"; else
                fail "$kind $name ships unexpected files: $(echo $extra)"; fi
}

check_service() {
        case "$depends" in *lanesight-models*) pass "$kind $name depends on lanesight-models" ;;
                *) fail "$kind $name does not depend on lanesight-models ($depends)" ;; esac
        if ls "$root"/usr/share/lanesight/models/*.onnx >/dev/null 2>&1; then
                fail "$kind $name ships models (they belong in lanesight-models)"
        else pass "$kind $name ships no model"; fi

        # The unit directory: /lib/systemd/system on bookworm's debhelper, else /usr/lib.
        unitdir=/usr/lib/systemd/system
        [ $kind = deb ] && grep -qx /lib/systemd/system/lanesightd.service "$tmp/list" &&
                unitdir=/lib/systemd/system

        want="/usr/sbin/lanesightd /usr/bin/lanesightctl /usr/bin/lanesight-probe
                /usr/bin/lanesight-infer $unitdir/lanesightd.service
                /usr/lib/sysusers.d/lanesight.conf /usr/lib/tmpfiles.d/lanesight.conf
                /usr/lib/systemd/catalog/lanesight.catalog
                /usr/share/dbus-1/system.d/org.lanesight.Lanesight1.conf
                /usr/share/dbus-1/system-services/org.lanesight.Lanesight1.service
                /usr/share/dbus-1/interfaces/org.lanesight.Lanesight1.xml
                /usr/share/polkit-1/actions/org.lanesight.Lanesight1.policy
                /usr/share/polkit-1/rules.d/50-org.lanesight.Lanesight1.rules
                /usr/share/bash-completion/completions/lanesightctl"
        for f in $want; do
                if grep -qx "$f" "$tmp/list"; then pass "$kind has $f"; else fail "$kind lacks $f"; fi
        done
        for m in man1/lanesightctl.1 man1/lanesight-probe.1 man1/lanesight-infer.1 \
                 man5/lanesightd.conf.5 man8/lanesightd.8; do
                if grep -Eqx "/usr/share/man/$m(\\.gz)?" "$tmp/list"; then
                        pass "$kind has man page $m"
                else
                        fail "$kind lacks man page $m"
                fi
        done

        if grep -Eqx '/usr/share/zsh/(vendor-completions|site-functions)/_lanesightctl' "$tmp/list"; then
                pass "$kind has the zsh completion"; else fail "$kind lacks the zsh completion"; fi
        # Nothing else: no test programs, demo tools, models or stray build files.
        extra=$(grep -Ev '^/usr/(s?bin/lanesight(d|ctl|-probe|-infer)$|share/(doc|licenses)/lanesight(-[0-9][^/]*)?/|share/man/man[158]/lanesight|share/bash-completion/completions/lanesightctl$|share/zsh/(vendor-completions|site-functions)/_lanesightctl$|share/dbus-1/(system\.d|system-services|interfaces)/org\.lanesight\.Lanesight1\.(conf|service|xml)$|share/polkit-1/(actions/org\.lanesight\.Lanesight1\.policy|rules\.d/50-org\.lanesight\.Lanesight1\.rules)$|lib/(sysusers|tmpfiles)\.d/lanesight\.conf$|lib/systemd/catalog/lanesight\.catalog$|lib/\.build-id/)|^/(usr/)?lib/systemd/system/lanesightd\.service$' \
                "$tmp/list" || true)
        if [ -z "$extra" ]; then pass "$kind ships no unexpected file"; else
                fail "$kind ships unexpected files: $(echo $extra)"; fi

        # The unit starts the installed daemon, and the programs are stripped
        # ELF files that link (ldd finds every library on this machine).
        if grep -qx 'ExecStart=/usr/sbin/lanesightd' "$root$unitdir/lanesightd.service" 2>/dev/null; then
                pass "$kind unit runs /usr/sbin/lanesightd"
        else
                fail "$kind unit's ExecStart is not /usr/sbin/lanesightd"
        fi
        for p in usr/sbin/lanesightd usr/bin/lanesightctl usr/bin/lanesight-probe usr/bin/lanesight-infer; do
                [ -f "$root/$p" ] || continue
                if ldd "$root/$p" 2>&1 | grep -q 'not found'; then
                        fail "$kind $p has unresolved libraries"
                elif "$root/$p" --version >/dev/null 2>&1 || "$root/$p" --help >/dev/null 2>&1; then
                        pass "$kind $p runs (--version or --help)"
                else
                        fail "$kind $p does not run with --version or --help"
                fi
        done

        # Maintainer scripts: system user, unit enabling, bus policy reload.
        check_script() { # DESCRIPTION REGEX
                if grep -Eq "$2" "$tmp/scripts"; then pass "$kind scripts: $1"; else fail "$kind scripts lack: $1"; fi
        }
        check_script "system user (systemd-sysusers)" 'systemd-sysusers'
        if [ $kind = deb ]; then
                check_script "tmpfiles (systemd-tmpfiles --create)" 'systemd-tmpfiles .*--create'
                check_script "unit enabled (deb-systemd-helper)" 'deb-systemd-helper .*enable'
                check_script "unit started (deb-systemd-invoke start)" 'deb-systemd-invoke (start|\$_dh_action)'
                check_script "bus policy reload" 'org.freedesktop.DBus.ReloadConfig'
        else
                check_script "unit preset on install" 'systemctl .*preset'
                check_script "unit stopped on erase" 'systemctl .*(disable|stop)'
                check_script "journal catalog update" 'journalctl .*--update-catalog'
        fi
}

[ $# -gt 0 ] || { echo "usage: $0 PACKAGE..." >&2; exit 2; }
for p in "$@"; do check_one "$p"; done
if [ $fails -gt 0 ]; then
        echo "check-packages: $fails FAIL"
        exit 1
fi
echo "check-packages: all PASS"
