#!/bin/bash
# Builds the boot images of the LAVA test job: Debian's x86_64 kernel (from the linux-image package,
# extracted without installing it) and a busybox initramfs whose /init gives LAVA a shell prompt on
# the serial console. Idempotent: existing images are kept.
#   scripts/lava/build-images.sh [OUT_DIR]   (default /var/cache/maestro-lava)
set -euo pipefail
out=${1:-/var/cache/maestro-lava}
mkdir -p "$out"
cd "$out"

pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-/{print $2; exit}')
[ -n "$pkg" ] || { echo "no linux-image package behind linux-image-amd64" >&2; exit 1; }
kver=${pkg#linux-image-}
if [ ! -s bzImage ] || [ ! -s "kernel/lib/modules/$kver/modules.dep" ]; then
  ls "${pkg}"_*.deb >/dev/null 2>&1 || apt-get download "$pkg" 2>/dev/null
  rm -rf kernel && mkdir kernel
  dpkg-deb -x "$(ls "${pkg}"_*.deb | head -1)" kernel
  # Modules for the initramfs, and for libguestfs (LAVA's overlay tool), which boots this kernel too.
  depmod -b kernel "$kver"
  cp "kernel/boot/vmlinuz-$kver" bzImage.tmp && mv bzImage.tmp bzImage
  rm -f rootfs.cpio.gz
fi

if [ ! -s rootfs.cpio.gz ]; then
  command -v busybox >/dev/null || { echo "busybox-static is not installed" >&2; exit 1; }
  root=$(mktemp -d)
  trap 'rm -rf "$root"' EXIT
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,etc,root}
  cp "$(command -v busybox)" "$root/bin/busybox"
  # LAVA hands the test overlay to a QEMU guest as an ext2 disk (virtio): the drivers it needs.
  for mod in virtio_pci virtio_blk ext4 crc32c_generic; do
    for f in $(modprobe -d "$out/kernel" -S "$kver" --show-depends "$mod" | awk '$1 == "insmod" {print $2}'); do
      rel=${f#"$out/kernel/"}
      mkdir -p "$root/$(dirname "$rel")"
      cp "$f" "$root/$rel"
    done
  done
  depmod -b "$root" "$kver"
  for applet in $("$root/bin/busybox" --list); do
    [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
  done
  cat > "$root/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
for mod in virtio_pci virtio_blk ext4 crc32c_generic; do modprobe "$mod" 2>/dev/null; done
sleep 1
# LAVA mounts its overlay disk by /dev/disk/by-uuid/UUID: make those links from each ext superblock.
mkdir -p /dev/disk/by-uuid
for dev in /dev/vd? /dev/sd?; do
  [ -b "$dev" ] || continue
  magic=$(dd if="$dev" bs=1 skip=1080 count=2 2>/dev/null | hexdump -v -e '1/1 "%02x"')
  [ "$magic" = "53ef" ] || continue
  u=$(dd if="$dev" bs=1 skip=1128 count=16 2>/dev/null | hexdump -v -e '1/1 "%02x"')
  uuid="$(echo "$u" | cut -c1-8)-$(echo "$u" | cut -c9-12)-$(echo "$u" | cut -c13-16)-$(echo "$u" | cut -c17-20)-$(echo "$u" | cut -c21-32)"
  ln -sf "$dev" "/dev/disk/by-uuid/$uuid"
done
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root PS1='/ # '
echo "maestro busybox initramfs ready"
exec setsid cttyhack /bin/sh
INIT
  chmod +x "$root/init"
  printf 'root:x:0:0:root:/root:/bin/sh\n' > "$root/etc/passwd"
  (cd "$root" && find . | cpio -o -H newc --quiet | gzip -9) > rootfs.cpio.gz.tmp
  mv rootfs.cpio.gz.tmp rootfs.cpio.gz
fi
ls -la "$out/bzImage" "$out/rootfs.cpio.gz"
