#!/usr/bin/env bash
# Runs the whole test suite with a real InfluxDB 2.7 on loopback: builds influxd once (cached
# outside the work tree, see scripts/local-influxdb.sh), starts it with temporary data, runs
# `npm test` with INFLUX_URL/INFLUX_TOKEN/INFLUX_ORG set, and stops it whatever happens.
# Extra arguments go to vitest, e.g. `npm run test:influx -- test/influx`.
set -euo pipefail
cd "$(dirname "$0")/.."
script="$PWD/scripts/local-influxdb.sh"
"$script" build
data=$(mktemp -d "${TMPDIR:-/tmp}/influxdb-test.XXXXXX")
trap '"$script" stop "$data" >/dev/null 2>&1 || true; rm -rf "$data"' EXIT
set -a
# shellcheck disable=SC1090
eval "$("$script" start "$data")"
set +a
# Tests that need their own InfluxDB (stopping one mid-test) start it with the same script.
export LOCAL_INFLUXDB_SCRIPT="$script"
npm test -- "$@"
