#!/usr/bin/env bash
# Runs every benchmark against its anchor, in one go: ./bench/run.sh [BUILD_DIR]
#
#   sync_folder  the watched folder into the store: initial sync and no-op resync of 1,000 and
#                10,000 objects vs yaml-cpp parsing the same files; moor server peak RSS.
#   pod_start    N = 1, 10, 50 busybox httpd pods through a running `moor server` (one manifest
#                file, image already pulled, until the API's pod watch reports all Running) vs
#                the same containers through raw runc (overlay of the same layers, `runc spec`
#                config, `ip netns add`, `runc run -d`, 4 at a time like moor's agent workers);
#                prints the ratio (target <= 1.25x) and, informational, the ratio to raw runc
#                plus the CNI ADD moor's pods get (bridge + host-local, own bridge and /24);
#                the daemon's RSS with 50 pods (target
#                <= 30 MB), its idle CPU over 10 s, the conmons' RSS, CPU seconds per round and
#                per-pod stages from the daemon's log. Needs root and the e2e packages (runc,
#                conmon, containernetworking-plugins, busybox-static, docker-registry, skopeo).
#                Everything it makes on the host is named with a fresh prefix and removed, also
#                on SIGINT/SIGTERM.
#                Options: --daemon-log FILE (keep the daemon's debug log), N...
set -euo pipefail
BUILD=${1:-build}
# Both reuse the test fixtures, so they exist only in a build with BUILD_TESTING=ON.
for bench in sync_folder pod_start; do
  if [ ! -x "$BUILD/bench/$bench" ]; then
    echo "$bench: not built (configure with BUILD_TESTING=ON)"
  elif [ "$bench" = sync_folder ]; then
    "$BUILD/bench/sync_folder" "$BUILD/cli/moor"
  else
    "$BUILD/bench/pod_start"
  fi
done
