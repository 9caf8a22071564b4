#!/bin/sh
# tools/deb.sh VERSION OUTDIR: the Debian package of ./iamgrade (make deb).
#
# The tree comes from `make install DESTDIR=... PREFIX=/usr` (the binary,
# the man pages, the docs), so the package holds what an install holds.
# Depends: what dpkg-shlibdeps finds the binary linked against, plus the
# fonts the PDF embeds (opened by path, invisible to it) and the CA
# certificates libcurl verifies AWS with.  Built with dpkg-deb
# --root-owner-group: no fakeroot needed.  Prints the .deb's path.
set -eu
version=$1 out=$2
arch=$(dpkg --print-architecture)
maint=${DEB_MAINTAINER:-iamgrade maintainers <iamgrade@example.org>}
root=$out/root
rm -rf "$out"
mkdir -p "$root/DEBIAN" "$out/shlibs/debian"
root=$(cd "$root" && pwd)
make -s install DESTDIR="$root" PREFIX=/usr >/dev/null
strip --remove-section=.comment --remove-section=.note --strip-unneeded "$root/usr/bin/iamgrade"
# Debian policy 12.3 and 12.1: manual pages, and documents over 4 kB, compressed.
find "$root/usr/share/man" -type f -exec gzip -9n {} + 2>/dev/null || true
find "$root/usr/share/doc" -type f -size +4k ! -name '*.gz' -exec gzip -9n {} +

doc=$root/usr/share/doc/iamgrade
install -d -m 0755 "$doc"
cat >"$doc/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: iamgrade
Comment: built from the iamgrade source tree by tools/deb.sh

Files: *
Copyright: 2026 the iamgrade authors
License: none-granted
 No license has been granted yet: this package is for the project's own use.
COPYRIGHT
printf 'iamgrade (%s) unstable; urgency=medium\n\n  * Package built by make deb.\n\n -- %s  %s\n' \
    "$version" "$maint" "$(date -R -u -d @"${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}")" |
    gzip -9n >"$doc/changelog.gz"
chmod 0644 "$doc/copyright" "$doc/changelog.gz"

# dpkg-shlibdeps wants a debian/control to stand in; it reads nothing else from it.
printf 'Source: iamgrade\n\nPackage: iamgrade\nArchitecture: any\n' >"$out/shlibs/debian/control"
shlibs=$(cd "$out/shlibs" && dpkg-shlibdeps -O -e "$root/usr/bin/iamgrade" 2>/dev/null |
    sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || { echo "deb.sh: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<CONTROL
Package: iamgrade
Version: $version
Architecture: $arch
Maintainer: $maint
Installed-Size: $size
Depends: $shlibs, ca-certificates, fonts-dejavu-core, fonts-droid-fallback
Section: admin
Priority: optional
Description: batch compliance reports for AWS IAM
 iamgrade grades AWS accounts against the IAM controls auditors ask for
 (password policy, MFA, root keys, key rotation, unused credentials,
 CloudTrail, risky new roles) and writes the evidence as HTML, PDF, CSV,
 JSON and the formats security tools read, for one account or a whole
 organization, once a month.
CONTROL
(cd "$root" && find usr -type f -exec md5sum {} + | sort -k2) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"
find "$root" -type d -exec chmod 0755 {} +
deb=$out/iamgrade_${version}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
