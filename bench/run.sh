#!/usr/bin/env bash
# Runs every benchmark against its anchor, in one go: ./bench/run.sh [BUILD_DIR]
set -euo pipefail
BUILD=${1:-build}
"$BUILD/bench/sync_folder" "$BUILD/cli/moor"
