#!/usr/bin/env bash
# test_install.sh: "make install" puts libsamsa where C programs find it -
# the archive, <samsa.h>, samsa.pc, libsamsa(3), the daemon and the
# scripts - and the libsamsa(3) example compiles and links against the
# installed copy with nothing but pkg-config's flags.  Installs into a
# temporary DESTDIR.  TAP output.
set -u

srcdir=$(cd "${srcdir:-$(dirname "$0")/../..}" && pwd)
builddir=${top_builddir:-$srcdir}
n=0 failed=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/samsa-install.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
. "$srcdir/t/lib/tap.sh"
root=$tmp/root
prefix=/usr/local

echo "1..5"
# a make of its own: not the jobserver of the "make check" running us
if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL timeout 300 "${MAKE:-make}" \
       -C "$builddir" install DESTDIR="$root" prefix="$prefix" \
       >"$tmp/install.log" 2>&1; then
    ok "make install DESTDIR=... prefix=$prefix"
else
    not_ok "make install DESTDIR=... prefix=$prefix" \
        "$(tail -30 "$tmp/install.log")"
fi
missing=
for f in lib/libsamsa.a include/samsa.h lib/pkgconfig/samsa.pc \
         bin/samsa-server bin/kafka-topics.sh share/man/man3/libsamsa.3 \
         share/man/man5/server.properties.5; do
    [ -e "$root$prefix/$f" ] || missing="$missing $f"
done
assert "installed: archive, header, samsa.pc, daemon, scripts, man pages" \
    test -z "$missing"
[ -n "$missing" ] && echo "#   missing:$missing"

export PKG_CONFIG_PATH= PKG_CONFIG_LIBDIR=$root$prefix/lib/pkgconfig
export PKG_CONFIG_SYSROOT_DIR=$root
flags=$(pkg-config --cflags --libs samsa 2>"$tmp/pc.err")
assert "pkg-config --cflags --libs samsa" test -n "$flags"
case $flags in
*"-I$root$prefix/include"*"-L$root$prefix/lib"*"-lsamsa"*)
    ok "samsa.pc points at the installed header and archive" ;;
*)  not_ok "samsa.pc points at the installed header and archive" \
        "flags: $flags $(cat "$tmp/pc.err")" ;;
esac
# the sanitizer build's archive needs its compiler flags to link
# shellcheck disable=SC2086
if ${SAMSA_CC:-cc} -o "$tmp/example" "$srcdir/t/tools/libsamsa_example.c" \
       $flags ${SAMSA_LDFLAGS:-} >"$tmp/cc.log" 2>&1 &&
   { "$tmp/example" >/dev/null 2>&1; [ $? = 2 ]; }; then
    ok "the libsamsa(3) example builds against the installed copy"
else
    not_ok "the libsamsa(3) example builds against the installed copy" \
        "$(head -20 "$tmp/cc.log")"
fi
exit $((failed > 0))
