#!/usr/bin/env bash
# A real InfluxDB OSS 2.7 for tests and development, built from its Go and Rust sources.
#
#   scripts/local-influxdb.sh build          build influxd (once; cached outside the work tree)
#   scripts/local-influxdb.sh start [DIR]    start it on a free loopback port with data in DIR
#                                            (default: a new temporary directory), set it up, and
#                                            print INFLUX_URL=… INFLUX_TOKEN=… INFLUX_ORG=…
#                                            INFLUX_BUCKET=… lines for `eval`
#   scripts/local-influxdb.sh stop [DIR]     stop the server started with DIR (default: the last)
#   scripts/local-influxdb.sh path           print the cached binary's path (builds if missing)
#
# Settings (environment):
#   INFLUXDB_VERSION    the InfluxDB module version (default v2.7.12, the newest 2.7.x served)
#   INFLUXDB_CACHE_DIR  where built binaries are kept (default ~/.cache/energy-monitoring/influxdb)
#
# Why from sources: no Docker engine runs on the machines this project is tested on, and InfluxDB's
# release downloads are not reachable; the Go module proxy and crates.io are.
set -euo pipefail

VERSION="${INFLUXDB_VERSION:-v2.7.12}"
CACHE_DIR="${INFLUXDB_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/energy-monitoring/influxdb}"
BIN="$CACHE_DIR/$VERSION/influxd"
STATE_FILE="$CACHE_DIR/last-instance"

log() { printf '[local-influxdb] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

build() {
  if [[ -x "$BIN" ]]; then
    log "cached: $BIN"
    return 0
  fi
  command -v go >/dev/null || die "go is not installed"
  command -v cargo >/dev/null || die "cargo (Rust) is not installed"
  command -v pkg-config >/dev/null || die "pkg-config is not installed (apt-get install -y pkg-config)"

  local started work src flux_version flux_src
  started=$(date +%s)
  work="$CACHE_DIR/$VERSION/build"
  rm -rf "$work"
  mkdir -p "$work"

  log "downloading github.com/influxdata/influxdb/v2@$VERSION from the Go module proxy"
  src=$(GOFLAGS=-mod=mod go mod download -json "github.com/influxdata/influxdb/v2@$VERSION" |
    sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
  [[ -d "$src" ]] || die "module download failed for influxdb $VERSION"
  # The module cache is read-only, and go.mod has `replace` directives (so `go install` refuses it):
  # build inside a writable copy.
  cp -r "$src" "$work/influxdb"
  chmod -R u+w "$work/influxdb"

  flux_version=$(awk '$1 == "github.com/influxdata/flux" { print $2; exit }' "$work/influxdb/go.mod")
  [[ -n "$flux_version" ]] || die "cannot find the flux version in influxdb's go.mod"
  log "influxdb $VERSION pins flux $flux_version; downloading it"
  flux_src=$(go mod download -json "github.com/influxdata/flux@$flux_version" |
    sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
  [[ -d "$flux_src" ]] || die "module download failed for flux $flux_version"
  cp -r "$flux_src" "$work/flux"
  chmod -R u+w "$work/flux"

  log "building libflux (Rust, crates from crates.io) — the long part"
  # rust-toolchain.toml names an old toolchain that cannot be fetched here: use the machine's.
  rm -f "$work/flux/libflux/rust-toolchain.toml" "$work/flux/rust-toolchain.toml"
  # The crates deny warnings (feature `strict`), which newer rustc versions trip: cap lints.
  (cd "$work/flux/libflux" &&
    RUSTFLAGS="--cap-lints=warn" CARGO_TARGET_DIR="$work/flux/libflux/target" \
      cargo build --release --locked -p flux) >&2
  # Only the static library: with libflux.so beside it the linker would pick the shared one and
  # influxd would need it at run time.
  local libdir="$work/lib"
  mkdir -p "$libdir"
  cp "$work/flux/libflux/target/release/libflux.a" "$libdir/" ||
    die "libflux.a was not built in $work/flux/libflux/target/release"

  mkdir -p "$work/pkgconfig"
  cat >"$work/pkgconfig/flux.pc" <<EOF
Name: flux
Version: ${flux_version#v}
Description: Library for the InfluxData Flux engine
Cflags: -I$work/flux/libflux/include
Libs: -L$libdir -lflux -ldl -lpthread -lm
EOF

  log "building influxd (Go)"
  (cd "$work/influxdb" &&
    PKG_CONFIG_PATH="$work/pkgconfig" CGO_ENABLED=1 GOFLAGS=-mod=mod \
      go build -tags sqlite_foreign_keys,sqlite_json -o "$BIN.tmp" ./cmd/influxd) >&2
  mv "$BIN.tmp" "$BIN"
  local took=$(( $(date +%s) - started ))
  # The sources and the Rust target directory are large; the binary is all that is kept.
  local disk
  disk=$(du -sh "$work" | cut -f1)
  rm -rf "$work"
  log "built $BIN in ${took}s (build tree was $disk, removed; binary $(du -h "$BIN" | cut -f1))"
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

start() {
  [[ -x "$BIN" ]] || build
  local dir="${1:-}"
  if [[ -z "$dir" ]]; then dir=$(mktemp -d "${TMPDIR:-/tmp}/influxdb.XXXXXX"); fi
  mkdir -p "$dir"
  local port token org bucket
  org="energy"
  bucket="energy_monitoring"
  if [[ -f "$dir/env" ]]; then
    # Started before with this data: the same port and token, so clients set up then still work.
    port=$(sed -n 's#^INFLUX_URL=http://127.0.0.1:##p' "$dir/env")
    token=$(sed -n 's#^INFLUX_TOKEN=##p' "$dir/env")
  else
    port=$(free_port)
    token="local-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  fi
  "$BIN" --reporting-disabled --http-bind-address "127.0.0.1:$port" \
    --bolt-path "$dir/influxd.bolt" --sqlite-path "$dir/influxd.sqlite" \
    --engine-path "$dir/engine" --log-level warn >>"$dir/influxd.log" 2>&1 &
  local pid=$!
  echo "$pid" >"$dir/influxd.pid"
  local url="http://127.0.0.1:$port"
  for _ in $(seq 1 300); do
    if curl -fsS "$url/health" >/dev/null 2>&1; then break; fi
    kill -0 "$pid" 2>/dev/null || die "influxd exited; see $dir/influxd.log"
    sleep 0.1
  done
  curl -fsS "$url/health" >/dev/null || die "influxd did not become healthy; see $dir/influxd.log"
  if curl -fsS "$url/api/v2/setup" | grep -q '"allowed": *true'; then
    curl -fsS -X POST "$url/api/v2/setup" -H 'Content-Type: application/json' \
      -d "{\"username\":\"admin\",\"password\":\"local-password-$port\",\"org\":\"$org\",\"bucket\":\"$bucket\",\"token\":\"$token\"}" \
      >/dev/null || die "setup failed; see $dir/influxd.log"
  fi
  mkdir -p "$CACHE_DIR"
  echo "$dir" >"$STATE_FILE"
  cat >"$dir/env" <<EOF
INFLUX_URL=$url
INFLUX_TOKEN=$token
INFLUX_ORG=$org
INFLUX_BUCKET=$bucket
INFLUXD_PID=$pid
INFLUXD_DATA_DIR=$dir
EOF
  cat "$dir/env"
}

stop() {
  local dir="${1:-}"
  if [[ -z "$dir" && -f "$STATE_FILE" ]]; then dir=$(cat "$STATE_FILE"); fi
  [[ -n "$dir" && -f "$dir/influxd.pid" ]] || { log "nothing to stop"; return 0; }
  local pid
  pid=$(cat "$dir/influxd.pid")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/influxd.pid"
  log "stopped influxd (pid $pid, data in $dir)"
}

case "${1:-}" in
  build) build ;;
  start) shift; start "${1:-}" ;;
  stop) shift; stop "${1:-}" ;;
  path) [[ -x "$BIN" ]] || build; echo "$BIN" ;;
  *) sed -n '2,16p' "$0" >&2; exit 64 ;;
esac
