#!/usr/bin/env bash
# make run: idprovd alone, in the foreground, with a local CA and database
# under ./var, on 127.0.0.1:43776 and [::1]:43776.  Ctrl-C stops it.
#   scripts/run.sh BUILD_DIR [extra idprovd flags]
set -euo pipefail
build=${1:?usage: scripts/run.sh BUILD_DIR [idprovd flags]}
shift
[ -d "$build" ] || { echo "run: no build folder $build; run make build first" >&2; exit 1; }
build=$(cd "$build" && pwd)
cd "$(dirname "$0")/.."
idprovd="$build/server/idprovd"
idprovctl="$build/tools/idprovctl"
for p in "$idprovd" "$idprovctl"; do
	[ -x "$p" ] || { echo "run: $p is missing; build first (make build)" >&2; exit 1; }
done
mkdir -p var
chmod 700 var
if [ ! -f var/ca/ca.pem ]; then
	echo "run: creating a local CA in var/ca"
	"$idprovctl" ca init --dir var/ca
fi
echo "run: idprovd on https://127.0.0.1:43776 and https://[::1]:43776 (Ctrl-C to stop)"
echo "run: admin certificate: var/ca/admin.pem var/ca/admin.key"
exec "$idprovd" --ca-dir var/ca --db var/idprov.db \
	--listen 127.0.0.1:43776 --listen '[::1]:43776' "$@"
