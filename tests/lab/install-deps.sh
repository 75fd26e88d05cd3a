#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs the Debian 12 packages the build, the tests, the demo and the
# benchmarks (bench-server's OpenSSL, the peer tools) need,
# when any is missing. Services that packages would start on the host
# (postfix, nsd, dovecot, vsftpd) are kept from starting: the lab starts its own, in a
# network namespace.
set -euo pipefail
packages=(build-essential cmake pkg-config libuv1-dev libwolfssl-dev libc-ares-dev
          ca-certificates openssl iproute2 python3 nsd postfix dovecot-imapd dovecot-pop3d
          vsftpd clang libclang-rt-14-dev
          libssl-dev time valgrind nmap sslscan testssl.sh)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "installing: ${missing[*]}"
echo "postfix postfix/main_mailer_type select No configuration" | $sudo debconf-set-selections
added_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod +x /usr/sbin/policy-rc.d
    added_policy=1
fi
trap '[ -n "$added_policy" ] && $sudo rm -f /usr/sbin/policy-rc.d' EXIT
$sudo apt-get update -q
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
