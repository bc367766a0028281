#!/usr/bin/env bash
# Installs payhookd for systemd: the binary, the units, the example config (never overwritten)
# and the nginx server block as a reference. Run as root after `make release` (or `make install`).
#
#   scripts/install.sh [--prefix /usr] [--destdir DIR] [--binary .build/release/payhookd]
#
# --destdir stages everything under DIR (packaging, tests); --prefix moves the binary and the
# ExecStart= line of the service with it.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=/usr
destdir=""
binary=.build/release/payhookd
while [[ $# -gt 0 ]]; do
  case "$1" in
    --prefix) prefix="$2"; shift 2 ;;
    --destdir) destdir="$2"; shift 2 ;;
    --binary) binary="$2"; shift 2 ;;
    *) echo "install.sh: unknown argument $1 (see the header of this script)" >&2; exit 2 ;;
  esac
done
[[ -x "$binary" ]] || { echo "install.sh: no binary at $binary: run 'make release' first" >&2; exit 1; }

bindir="$destdir$prefix/bin"
unitdir="$destdir/etc/systemd/system"
confdir="$destdir/etc/payhookd"
docdir="$destdir$prefix/share/doc/payhookd"
install -d -m 0755 "$bindir" "$unitdir" "$docdir"
install -d -m 0750 "$confdir"
install -m 0755 "$binary" "$bindir/payhookd"
for unit in payhookd.service payhookd.socket payhookd-admin.socket; do
  sed "s|/usr/bin/payhookd|$prefix/bin/payhookd|g" "systemd/$unit" > "$unitdir/$unit"
  chmod 0644 "$unitdir/$unit"
done
if [[ -e "$confdir/payhookd.toml" ]]; then
  echo "install.sh: keeping the existing $confdir/payhookd.toml" >&2
else
  install -m 0640 config/payhookd.toml "$confdir/payhookd.toml"
fi
install -m 0644 config/nginx/payhookd.conf "$docdir/nginx-payhookd.conf"
install -m 0644 README.md "$docdir/README.md"

cat <<MSG
Installed $prefix/bin/payhookd, the units in /etc/systemd/system and /etc/payhookd/payhookd.toml.
Next:
  1. Edit /etc/payhookd/payhookd.toml, put each secret in /etc/payhookd/<name>.key (root, 0600),
     one LoadCredential= line per key in payhookd.service, then: payhookd check-config
  2. systemctl daemon-reload && systemctl enable --now payhookd
  3. nginx: adapt $prefix/share/doc/payhookd/nginx-payhookd.conf (server_name, certificates)
MSG
