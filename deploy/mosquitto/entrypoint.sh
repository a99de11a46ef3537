#!/bin/sh
# Starts Mosquitto with anonymous access (MQTT_USERNAME empty) or with a password file holding
# MQTT_USERNAME / MQTT_PASSWORD (the same credentials the API and the simulator use).
set -eu

auth_dir=/mosquitto/auth
mkdir -p "$auth_dir"
rm -f "$auth_dir"/*.conf

if [ -n "${MQTT_USERNAME:-}" ]; then
  if [ -z "${MQTT_PASSWORD:-}" ]; then
    echo "mosquitto: MQTT_USERNAME is set but MQTT_PASSWORD is empty" >&2
    exit 2
  fi
  : > "$auth_dir/passwd"
  mosquitto_passwd -b "$auth_dir/passwd" "$MQTT_USERNAME" "$MQTT_PASSWORD"
  # Mosquitto 2 refuses (or warns about) password files other users can read.
  chown mosquitto:mosquitto "$auth_dir/passwd"
  chmod 0600 "$auth_dir/passwd"
  printf 'allow_anonymous false\npassword_file %s/passwd\n' "$auth_dir" > "$auth_dir/auth.conf"
  echo "mosquitto: password authentication for user $MQTT_USERNAME"
else
  printf 'allow_anonymous true\n' > "$auth_dir/auth.conf"
  echo "mosquitto: anonymous access (set MQTT_USERNAME and MQTT_PASSWORD in .env to require a password)"
fi

chown -R mosquitto:mosquitto /mosquitto/data
exec /usr/sbin/mosquitto -c /mosquitto/config/mosquitto.conf
