#!/usr/bin/env bash
# Builds a small busybox image from Debian's busybox-static, as an OCI image layout:
#   examples/images/build-busybox.sh DIR [TAG]     ->  DIR is oci:DIR:TAG to skopeo
# The image has /bin/busybox with its applets linked, /etc/passwd, /etc/group, /tmp and
# /www/index.html ("hello from moor"); Cmd is ["sh"]. Needs umoci and busybox-static.
set -euo pipefail
DIR=$1
TAG=${2:-1.36}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
[ -d "$DIR" ] || umoci init --layout "$DIR" >/dev/null
umoci new --image "$DIR:$TAG" >/dev/null
umoci unpack --image "$DIR:$TAG" "$WORK/bundle" >/dev/null
ROOTFS=$WORK/bundle/rootfs
mkdir -p "$ROOTFS/bin" "$ROOTFS/etc" "$ROOTFS/www" "$ROOTFS/tmp" "$ROOTFS/root"
chmod 1777 "$ROOTFS/tmp"
cp /bin/busybox "$ROOTFS/bin/busybox"
for applet in $(/bin/busybox --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$ROOTFS/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$ROOTFS/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$ROOTFS/etc/group"
echo "hello from moor" >"$ROOTFS/www/index.html"
umoci repack --image "$DIR:$TAG" "$WORK/bundle" >/dev/null
umoci config --image "$DIR:$TAG" --config.cmd sh --config.env PATH=/bin:/usr/bin:/sbin:/usr/sbin >/dev/null
echo "$DIR:$TAG"
