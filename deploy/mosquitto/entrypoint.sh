#!/bin/sh
# Mosquitto for the compose stack, with authentication and an ACL always on. At every start this
# writes a password file (hashed by mosquitto_passwd) and an ACL file from .env, then runs Mosquitto:
#
#   MQTT_USERNAME / MQTT_PASSWORD  the API's account: may subscribe to <prefix>/#, and read and write
#                                  the stored-readings feed <feed>/# (several API processes)
#   MQTT_GATEWAYS                  gateway accounts, comma separated: name:password:PANEL+PANEL
#                                  (panels * = every panel); each may publish only to <prefix>/<panel>
#   MQTT_SIMULATOR_PASSWORD        the account "simulator" (compose profile simulator), every panel
#   MQTT_TOPIC                     the API's subscription (default DATA/PM/#); <prefix> is its fixed part
#   MQTT_FEED_TOPIC                the feed's root (default energy-monitoring/feed); must not overlap <prefix>
#
# Anonymous clients are refused; nobody may read $SYS or publish anywhere else, and only the API's
# account may publish on the feed (every other account also has an explicit deny for <feed>/#, so a
# broader rule added later cannot open it). A password may hold any character but a comma.
# `entrypoint.sh generate` only writes the files (to MOSQUITTO_AUTH_DIR).
set -eu

auth_dir=${MOSQUITTO_AUTH_DIR:-/mosquitto/auth}
topic=${MQTT_TOPIC:-DATA/PM/#}
prefix=${topic%/#}
prefix=${prefix%/+}
prefix=${prefix#\$share/*/}
feed=${MQTT_FEED_TOPIC:-energy-monitoring/feed}

fail() {
  echo "mosquitto: $*" >&2
  exit 2
}

# A name or panel id that could widen an ACL rule (a level separator, a wildcard) or break a line.
check_word() {
  case "$2" in
    '' | *[!A-Za-z0-9_.-]*) fail "$1 \"$2\" may hold only letters, digits, _ . and -" ;;
  esac
}

[ -n "${MQTT_USERNAME:-}" ] || fail "set MQTT_USERNAME and MQTT_PASSWORD in .env (the API's broker account)"
[ -n "${MQTT_PASSWORD:-}" ] || fail "MQTT_USERNAME is set but MQTT_PASSWORD is empty"
check_word MQTT_USERNAME "$MQTT_USERNAME"
case "$feed" in
  '' | *[!A-Za-z0-9_/-]* | /* | */ | *//*) fail "MQTT_FEED_TOPIC \"$feed\" must be a plain topic (letters, digits, _ - and /)" ;;
esac
# The feed under the meters' prefix would be a meter topic (gateways publish there), or the reverse.
case "$feed/" in
  "$prefix"/*) fail "MQTT_FEED_TOPIC \"$feed\" must not be under MQTT_TOPIC's $prefix/" ;;
esac
case "$prefix/" in
  "$feed"/*) fail "MQTT_TOPIC's $prefix/ must not be under MQTT_FEED_TOPIC \"$feed\"" ;;
esac

mkdir -p "$auth_dir"
passwd="$auth_dir/passwd"
acl="$auth_dir/acl"
rm -f "$auth_dir"/*.conf "$passwd" "$acl"
umask 077

mosquitto_passwd -b -c "$passwd" "$MQTT_USERNAME" "$MQTT_PASSWORD"
# The API reads the meters' topics and, with several API processes, shares stored readings on the feed topic.
printf '# Written by entrypoint.sh at start; edit .env instead.\nuser %s\ntopic read %s/#\ntopic readwrite %s/#\n' "$MQTT_USERNAME" "$prefix" "$feed" > "$acl"
accounts="$MQTT_USERNAME (API, reads $prefix/#)"

add_account() { # name password panels
  mosquitto_passwd -b "$passwd" "$1" "$2"
  printf '\nuser %s\ntopic deny %s/#\n' "$1" "$feed" >> "$acl"
  if [ "$3" = '*' ]; then
    printf 'topic write %s/+\n' "$prefix" >> "$acl"
  else
    old_ifs=$IFS
    IFS=+
    for panel in $3; do
      check_word "panel of $1" "$panel"
      printf 'topic write %s/%s\n' "$prefix" "$panel" >> "$acl"
    done
    IFS=$old_ifs
  fi
  accounts="$accounts, $1 ($3)"
}

# Split on commas only, with no file name expansion of a `*` panel list.
set -f
old_ifs=$IFS
IFS=,
for entry in ${MQTT_GATEWAYS:-}; do
  IFS=$old_ifs
  name=${entry%%:*}
  rest=${entry#*:}
  panels=${rest##*:}
  password=${rest%:*}
  [ "$name" != "$entry" ] && [ "$password" != "$rest" ] || fail "MQTT_GATEWAYS entry \"$name\" is not name:password:PANEL+PANEL"
  check_word "gateway name" "$name"
  [ "$name" != "$MQTT_USERNAME" ] && [ "$name" != simulator ] || fail "gateway name \"$name\" is taken"
  [ -n "$password" ] || fail "gateway $name has an empty password"
  add_account "$name" "$password" "$panels"
  IFS=,
done
IFS=$old_ifs
set +f

if [ -n "${MQTT_SIMULATOR_PASSWORD:-}" ]; then
  add_account simulator "$MQTT_SIMULATOR_PASSWORD" '*'
fi

printf 'allow_anonymous false\npassword_file %s\nacl_file %s\n' "$passwd" "$acl" > "$auth_dir/auth.conf"
# Mosquitto 2 refuses (or warns about) password files other users can read.
if [ "$(id -u)" = 0 ] && id mosquitto > /dev/null 2>&1; then
  chown mosquitto:mosquitto "$passwd" "$acl"
fi
echo "mosquitto: accounts $accounts; anonymous access off"

[ "${1:-}" = generate ] && exit 0
chown -R mosquitto:mosquitto /mosquitto/data
exec /usr/sbin/mosquitto -c /mosquitto/config/mosquitto.conf
