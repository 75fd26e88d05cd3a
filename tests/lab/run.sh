#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Brings the lab up, runs the integration tests with BINARY, brings it down.
# Needs root: the lab is a network namespace of its own (ip netns add) with
# servers on ports 25 and 53 in it. As another user it exits 77, which ctest
# reports as skipped; with STS_LAB_SUDO=1 (make test) it re-runs itself with sudo.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then
    if [ "${STS_LAB_SUDO:-}" = 1 ] && command -v sudo >/dev/null; then
        exec sudo "$0" "$1" "${2:-${STS_LAB_OTHER_BINARY:-}}"
    fi
    echo "lab: skipped: it needs root (a network namespace of its own, servers on ports 25 and 53);" >&2
    echo "lab: run ctest as root, or make test (which uses sudo)" >&2
    exit 77
fi
here=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "${1:?usage: run.sh BINARY [OTHER_BINARY]}")
# OTHER_BINARY (or STS_LAB_OTHER_BINARY): another build, whose rows must equal BINARY's.
other=${2:-${STS_LAB_OTHER_BINARY:-}}
export STS_LAB_OTHER_BINARY=${other:+$(realpath "$other")}
for tool in ip nsd postfix dovecot vsftpd openssl python3; do
    if ! command -v "$tool" >/dev/null && [ ! -x "/usr/sbin/$tool" ]; then
        echo "lab: $tool is not installed (bash tests/lab/install-deps.sh test installs what the lab needs)" >&2
        exit 1
    fi
done
lab=$(mktemp -d /tmp/sts-lab.XXXXXX)
trap 'bash "$here/lab.sh" down "$lab"; rm -rf "$lab"' EXIT
bash "$here/lab.sh" up "$lab"
/usr/bin/python3 "$here/test_lab.py" "$bin" "$lab"
