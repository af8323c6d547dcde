#!/usr/bin/env bash
# `npm run bench [-- NAME…]`: compiles the benchmarks with the sources into bench/.work/dist and runs them.
# Names: nodes, events, pipeline, timers, day (default: all, in that order).
set -uo pipefail
cd "$(dirname "$0")/.."
out=bench/.work/dist
mkdir -p bench/.work
# The processes the benchmarks spawn (API, workers, storage) run from the regular build output.
npx tsc -p tsconfig.build.json >bench/.work/build.log 2>&1 || echo "[bench] the build reported type errors (see bench/.work/build.log)" >&2
# Other modules' type errors must not stop a measurement; tsc still emits.
npx tsc -p bench/tsconfig.json >bench/.work/tsc.log 2>&1 || echo "[bench] tsc reported type errors (see bench/.work/tsc.log); running the emitted code" >&2
# Compiled sources find the tool provisioning script relative to themselves.
ln -sfn ../../../scripts "$out/scripts"
exec node "$out/bench/run.js" "$@"
