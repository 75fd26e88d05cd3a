#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Brings the lab up, runs the integration tests with BINARY, brings it down.
# Needs root (network namespaces, port 25): re-runs itself with sudo.
set -euo pipefail
[ "$(id -u)" -eq 0 ] || exec sudo "$0" "$@"
here=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "${1:?usage: run.sh BINARY}")
lab=$(mktemp -d /tmp/sts-lab.XXXXXX)
trap 'bash "$here/lab.sh" down "$lab"; rm -rf "$lab"' EXIT
bash "$here/lab.sh" up "$lab"
/usr/bin/python3 "$here/test_lab.py" "$bin" "$lab"
