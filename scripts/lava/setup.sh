#!/bin/bash
# A real LAVA lab on this host, from nothing (Debian 12, as root): lava-server + lava-dispatcher
# (2023.01), PostgreSQL, one worker and one QEMU device (software emulation). Idempotent: what exists
# and runs is kept. Writes the LAVA API token of the submitting user to $STATE/token.
#   scripts/lava/setup.sh        start (install first if needed)
#   scripts/lava/setup.sh stop   stop what this script started
# Settings: LAVA_PORT (8088), LAVA_STATE (/var/lib/maestro-lava), LAVA_IMAGES (/var/cache/maestro-lava)
set -euo pipefail
port=${LAVA_PORT:-8088}
state=${LAVA_STATE:-/var/lib/maestro-lava}
images=${LAVA_IMAGES:-/var/cache/maestro-lava}
worker=maestro-lava-worker
device=qemu01
user=kernelci
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$state/run" "$state/log"

running() { [ -s "$state/run/$1.pid" ] && kill -0 "$(cat "$state/run/$1.pid")" 2>/dev/null; }

if [ "${1:-}" = stop ]; then
  for p in lava-worker lava-scheduler gunicorn; do
    if running "$p"; then kill -- "-$(cat "$state/run/$p.pid")" 2>/dev/null || kill "$(cat "$state/run/$p.pid")"; fi
    rm -f "$state/run/$p.pid"
  done
  exit 0
fi

need=()
for pkg in lava-server lava-dispatcher qemu-system-x86 busybox-static cpio kmod; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -o DPkg::Lock::Timeout=900 >/dev/null
  # lava-server's package scripts create its database: PostgreSQL must run while it installs.
  if ! dpkg-query -W -f='${Status}' postgresql 2>/dev/null | grep -q "ok installed"; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=900 postgresql
  fi
  service postgresql start
  DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=900 --no-install-recommends "${need[@]}"
fi
pg_lsclusters -h | awk '{print $4}' | grep -q online || service postgresql start

"$here/build-images.sh" "$images" >/dev/null
kver=$(ls "$images/kernel/lib/modules" | head -1)

# LAVA applies a job's test overlay with libguestfs, which boots its own appliance under QEMU: it
# needs a kernel with modules (no /boot kernel here), and TCG (nested KVM breaks it on these hosts).
mkdir -p "/etc/lava-server/dispatcher.d/$worker"
cat > "/etc/lava-server/dispatcher.d/$worker/env.yaml" <<ENV
purge: true
overrides:
  LC_ALL: C.UTF-8
  LANG: C
  PATH: /usr/local/bin:/usr/local/sbin:/bin:/usr/bin:/usr/sbin:/sbin
  SUPERMIN_KERNEL: $images/kernel/boot/vmlinuz-$kver
  SUPERMIN_MODULES: $images/kernel/lib/modules/$kver
  LIBGUESTFS_BACKEND: direct
  LIBGUESTFS_BACKEND_SETTINGS: force_tcg
ENV
mkdir -p /etc/lava-server/dispatcher-config/devices
cat > "/etc/lava-server/dispatcher-config/devices/$device.jinja2" <<'DEV'
{% extends 'qemu.jinja2' %}
{% set mac_addr = '52:54:00:12:34:59' %}
{% set memory = 512 %}
{% set no_kvm = True %}
{% set netdevice = 'user' %}
DEV
chown -R lavaserver:lavaserver "/etc/lava-server/dispatcher.d/$worker" /etc/lava-server/dispatcher-config/devices

if ! running gunicorn; then
  setsid /usr/bin/gunicorn3 lava_server.wsgi --log-level INFO --log-file "$state/log/gunicorn.log" \
    -u lavaserver -g lavaserver --worker-class eventlet --workers 2 --bind "127.0.0.1:$port" \
    >>"$state/log/gunicorn.out" 2>&1 < /dev/null &
  echo $! > "$state/run/gunicorn.pid"
fi
for _ in $(seq 1 60); do
  curl -sf -o /dev/null "http://127.0.0.1:$port/api/v0.2/" && break
  sleep 1
done
curl -sf -o /dev/null "http://127.0.0.1:$port/api/v0.2/" || { echo "lava-server did not answer on port $port" >&2; exit 1; }

manage() { lava-server manage "$@" 2>/dev/null; }
manage users list | grep -w "$user" >/dev/null || manage users add "$user" --superuser --staff --passwd "$(head -c 12 /dev/urandom | base64)" >/dev/null
token=$(manage tokens list --user "$user" --csv | awk -F, 'NR > 1 {print $2; exit}')
[ -n "$token" ] || token=$(manage tokens add --user "$user" | tail -1)
printf '%s\n' "$token" > "$state/token"
chmod 600 "$state/token"
manage workers list | grep -w "$worker" >/dev/null || manage workers add "$worker" >/dev/null
worker_token=$(manage shell -c "from lava_scheduler_app.models import Worker; print(Worker.objects.get(hostname='$worker').token)" | tail -1)
manage device-types list | grep -w qemu >/dev/null || manage device-types add qemu >/dev/null
manage devices list | grep -w "$device" >/dev/null || manage devices add --device-type qemu --worker "$worker" "$device" >/dev/null

if ! running lava-scheduler; then
  setsid lava-server manage lava-scheduler --level INFO --log-file "$state/log/lava-scheduler.log" \
    >>"$state/log/lava-scheduler.out" 2>&1 < /dev/null &
  echo $! > "$state/run/lava-scheduler.pid"
fi
if ! running lava-worker; then
  setsid /usr/bin/lava-worker --level INFO --url "http://127.0.0.1:$port/" --name "$worker" \
    --token "$worker_token" >>"$state/log/lava-worker.out" 2>&1 < /dev/null &
  echo $! > "$state/run/lava-worker.pid"
fi
for _ in $(seq 1 60); do
  curl -sf "http://127.0.0.1:$port/api/v0.2/workers/" | grep -q "\"hostname\":\"$worker\",\"health\":\"Active\",\"state\":\"Online\"" && break
  sleep 1
done
echo "LAVA ready: http://127.0.0.1:$port/ (token in $state/token, device $device, images in $images)"
