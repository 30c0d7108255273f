#!/usr/bin/env bash
# The Debian package, as an office installs it: built by cargo-deb from the
# binary the tests just built (the dev profile: the release build would add
# ~13 minutes; contents and scripts are the same), installed with apt, and
# the installed /usr/bin/pantau run as the `pantau` user (setpriv) from `/` with the
# installed /etc/pantau/pantau.toml: `serve` answers /healthz, /readyz and
# the sign-in page, `doctor` finds nothing wrong, SIGTERM stops it with
# exit 0. Without systemd (CI), the service is started by hand. The package
# is purged at the end (its data folder is removed by hand, as an
# administrator would).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v cargo-deb >/dev/null 2>&1 || cargo install cargo-deb --locked --version 3.8.0
cargo build --bin pantau
rm -rf target/debian
cargo deb --profile dev --no-build --fast 2>&1 | grep -v "dev profile is not supported\|To enable debug symbols" || true
deb=$(ls target/debian/pantau_*.deb)
echo "package: built $deb ($(du -h "$deb" | cut -f1))"

cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null || true
  DEBIAN_FRONTEND=noninteractive dpkg --purge pantau >/dev/null 2>&1 || true
  rm -rf /var/lib/pantau
}
trap cleanup EXIT
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "./$deb" >/dev/null
test -x /usr/bin/pantau
test -f /usr/share/pantau/workflows/bansos.toml
test -f /usr/share/pantau/templates/pages/_layout.hbs
# The bank file layouts `pantau pay` reads (templates/bank/*.toml).
test -f /usr/share/pantau/templates/bank/generic.toml
test -f /usr/share/pantau/templates/bank/generic_xlsx.toml
test -f /usr/lib/systemd/system/pantau.service
getent passwd pantau >/dev/null
[ "$(stat -c '%U:%G %a' /etc/pantau/pantau.toml)" = "root:pantau 640" ]
[ "$(stat -c '%U %a' /var/lib/pantau)" = "pantau 750" ]
echo "package: installed; files, user and permissions as expected"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
log=$(mktemp)
as_pantau=(setpriv --reuid=pantau --regid=pantau --init-groups env HOME=/var/lib/pantau)
(cd / && exec "${as_pantau[@]}" PANTAU_BIND="127.0.0.1:$port" /usr/bin/pantau serve) >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$port/healthz" | grep -q ok
curl -fsS "http://127.0.0.1:$port/readyz" | grep -q ready
curl -fsS "http://127.0.0.1:$port/masuk" | grep -q 'name="password"'
test -f /var/lib/pantau/pantau.db
[ "$(stat -c %U /var/lib/pantau/pantau.db)" = "pantau" ]
echo "package: the installed serve answers on 127.0.0.1:$port with its database in /var/lib/pantau"

(cd / && "${as_pantau[@]}" /usr/bin/pantau doctor) || { echo "package: doctor found problems" >&2; exit 1; }

kill -TERM "$pid"
wait "$pid" || { echo "package: serve did not exit 0 on SIGTERM" >&2; cat "$log" >&2; exit 1; }
pid=
echo "package: serve stopped with exit 0 on SIGTERM"
