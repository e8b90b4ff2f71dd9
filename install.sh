#!/bin/sh
# Installs switchd from this checkout's build: jars and launchers in /usr/lib/switchd, switchctl
# on the PATH, the example configuration in /etc/switchd (kept if present), the systemd unit, and
# a system user and group "switchd" (members of the group may use switchctl).
#
#   mvn -q -B package -DskipTests && sudo ./install.sh && sudo systemctl enable --now switchd
#
# PREFIX (default /usr/lib/switchd) and DESTDIR (for packaging) are honoured.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/usr/lib/switchd}
for jar in switchd/target/switchd-all.jar switchd-api/target/switchctl.jar; do
  [ -f "$here/$jar" ] || { echo "install.sh: $jar missing; build first: mvn -q -B package -DskipTests" >&2; exit 1; }
done
install -d "$DESTDIR$PREFIX/bin" "$DESTDIR$PREFIX/lib" "$DESTDIR/etc/switchd" "$DESTDIR/usr/local/bin" \
  "$DESTDIR/etc/systemd/system" "$DESTDIR/usr/share/doc/switchd"
install -m 0644 "$here/switchd/target/switchd-all.jar" "$here/switchd-api/target/switchctl.jar" "$DESTDIR$PREFIX/lib/"
install -m 0755 "$here/bin/switchd" "$here/bin/switchctl" "$DESTDIR$PREFIX/bin/"
install -m 0644 "$here/bin/switchd.jvm-options" "$DESTDIR$PREFIX/bin/"
install -m 0755 "$here/systemd/switchd-ifup" "$here/systemd/switchd-ifdown" "$here/systemd/switchd-libvirt-hook" \
  "$DESTDIR$PREFIX/"
ln -sf "$PREFIX/bin/switchctl" "$DESTDIR/usr/local/bin/switchctl"
[ -f "$DESTDIR/etc/switchd/switchd.conf" ] || install -m 0644 "$here/config/switchd.conf" "$DESTDIR/etc/switchd/switchd.conf"
sed "s#/usr/lib/switchd#$PREFIX#g" "$here/systemd/switchd.service" > "$DESTDIR/etc/systemd/system/switchd.service"
install -m 0644 "$here/README.md" "$DESTDIR/usr/share/doc/switchd/README.md"
if [ -z "$DESTDIR" ]; then
  # switchctl's class-data archive, beside its jar where only root may write: the launcher records
  # it on this first call (with DESTDIR it cannot: the archive holds the jar's path; a first call
  # as root on the installed system makes it).
  "$PREFIX/bin/switchctl" --version >/dev/null
  getent group switchd >/dev/null || groupadd --system switchd
  getent passwd switchd >/dev/null || useradd --system --gid switchd --no-create-home --home-dir /var/lib/switchd \
    --shell /usr/sbin/nologin switchd
  if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
fi
echo "installed; start it with: systemctl enable --now switchd; then: switchctl bridge list"
