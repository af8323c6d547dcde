#!/usr/bin/env bash
# A Docker-API container engine for the docker runtime's tests, from Debian packages only: podman serves
# the Docker Engine API on a unix socket, and the job image is built locally (nothing can be pulled).
#
#   scripts/container-engine.sh prepare      install podman/runc/busybox-static if missing (apt), write the
#                                            engine config and import the image; idempotent, cached
#   scripts/container-engine.sh serve SOCK   run the Docker API service on SOCK in the foreground
#   scripts/container-engine.sh env          print the variables `serve` uses (CONTAINERS_CONF, …)
#   scripts/container-engine.sh check        run one container; exit 3 (with the reason) if it cannot
#
# The image (localhost/kci-kbuild:1) holds busybox (sh, tar, grep, sed…) and GNU make with its libraries:
# enough for a kbuild-shaped job. Machine quirks handled here, all in a private containers.conf:
#  - crun refuses cgroup "hybrid" hosts (v1 controllers plus a v2 hierarchy with controllers): runc works;
#  - podman raises RLIMIT_NOFILE/NPROC for containers, which fails when the host's hard limit is lower.
set -euo pipefail

IMAGE="${KCI_TEST_IMAGE:-localhost/kci-kbuild:1}"
CACHE_DIR="${MAESTRO_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/maestro/tools}/podman"
CONF="$CACHE_DIR/containers.conf"
ROOT="$CACHE_DIR/storage"
RUNROOT="$CACHE_DIR/run"

log() { echo "[container-engine] $*" >&2; }

podman_() { CONTAINERS_CONF="$CONF" podman --root "$ROOT" --runroot "$RUNROOT" "$@"; }

install_packages() {
  local missing=()
  command -v podman >/dev/null 2>&1 || missing+=(podman)
  command -v runc >/dev/null 2>&1 || missing+=(runc)
  [[ -x /bin/busybox ]] || missing+=(busybox-static)
  command -v make >/dev/null 2>&1 || missing+=(make)
  if ((${#missing[@]})); then
    log "installing ${missing[*]} (apt)"
    if [[ $(id -u) -ne 0 ]]; then
      log "not root: install ${missing[*]} first"
      exit 3
    fi
    apt-get install -y -o DPkg::Lock::Timeout=900 "${missing[@]}" >&2
  fi
}

write_config() {
  mkdir -p "$CACHE_DIR" "$ROOT" "$RUNROOT"
  local nofile nproc
  nofile=$(ulimit -Hn)
  nproc=$(ulimit -Hu)
  # Never above this shell's hard limits, nor above those of the service's parent (seen here: 32768
  # processes for PID 1 while the shell had 96365); 16384 is plenty for a parallel kernel build.
  [[ $nofile == unlimited ]] || ((nofile > 16384)) && nofile=16384
  [[ $nproc == unlimited ]] || ((nproc > 16384)) && nproc=16384
  cat >"$CONF.tmp" <<EOF
# Written by scripts/container-engine.sh
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
[engine]
runtime = "runc"
EOF
  mv "$CONF.tmp" "$CONF"
}

build_image() {
  if podman_ image exists "$IMAGE"; then return; fi
  log "building $IMAGE from busybox-static and make"
  local rootfs
  rootfs="$(mktemp -d)"
  mkdir -p "$rootfs"/{bin,usr/bin,tmp,etc,kci}
  chmod 1777 "$rootfs/tmp"
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [[ -e "$rootfs/bin/$applet" ]] || ln -s busybox "$rootfs/bin/$applet"
  done
  # GNU make and the shared libraries it needs, at the same paths.
  local make_bin lib
  make_bin="$(command -v make)"
  cp "$make_bin" "$rootfs/usr/bin/make"
  for lib in $(ldd "$make_bin" | grep -o '/[^ ]*'); do
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
  echo 'root:x:0:' >"$rootfs/etc/group"
  tar -C "$rootfs" -cf "$rootfs.tar" .
  podman_ import --change 'ENV PATH=/usr/bin:/bin' --change 'WORKDIR /kci' "$rootfs.tar" "$IMAGE" >/dev/null
  rm -rf "$rootfs" "$rootfs.tar"
}

check() {
  local out
  if ! out=$(podman_ run --rm --network none "$IMAGE" sh -c 'make --version | head -1' 2>&1); then
    log "this machine cannot run containers: $out"
    exit 3
  fi
  log "containers run here ($out)"
}

case "${1:-}" in
  prepare)
    install_packages
    write_config
    build_image
    echo "$IMAGE"
    ;;
  serve)
    [[ -n "${2:-}" ]] || { log "usage: $0 serve SOCKET_PATH"; exit 2; }
    rm -f "$2"
    exec env CONTAINERS_CONF="$CONF" podman --root "$ROOT" --runroot "$RUNROOT" \
      system service --time=0 "unix://$2"
    ;;
  env)
    echo "CONTAINERS_CONF=$CONF"
    echo "PODMAN_ROOT=$ROOT"
    echo "PODMAN_RUNROOT=$RUNROOT"
    echo "KCI_TEST_IMAGE=$IMAGE"
    ;;
  check)
    check
    ;;
  *)
    log "usage: $0 prepare | serve SOCKET_PATH | env | check"
    exit 2
    ;;
esac
