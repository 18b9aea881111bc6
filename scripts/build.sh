#!/bin/sh
# Builds the static khabar binary: the one command the Dockerfile runs and
# CI checks, so the two cannot drift apart.
#   scripts/build.sh [output]   (default ./khabar)
set -eu
out=${1:-./khabar}
CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$out" .
