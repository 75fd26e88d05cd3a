#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs the Debian 12 packages one job needs, when any is missing:
#
#   install-deps.sh build   cmake, pkg-config, a compiler and the three -dev packages
#   install-deps.sh demo    build + the demo lab's servers (nsd, postfix, dovecot, vsftpd; the
#                           protection lab's unbound, ldns-signzone and nginx)
#   install-deps.sh test    bench + what the tests need (clang's libFuzzer, mandoc,
#                           python3-jsonschema and -yaml, the shells of the completion
#                           tests, a single-node Slurm: slurmctld, slurmd, munge; dig;
#                           the lab's PostgreSQL, MariaDB, slapd with ldapsearch, prosody,
#                           INN; Prometheus with node_exporter and promtool, Nagios
#                           Core, swaks)
#   install-deps.sh tuned   build + what the tuned wolfSSL's build needs (autotools,
#                           dpkg-dev: cmake -DSTS_WOLFSSL=tuned, scanner/tls/wolfssl-tuned/)
#   install-deps.sh bench   demo + tuned + the benchmark server's OpenSSL and the peer tools
#
# Services that packages would start on the host (postfix, nsd, dovecot,
# vsftpd, munge, slurmctld, slurmd, unbound, nginx, postgresql, mariadb,
# slapd, prosody, inn2, prometheus, node_exporter, nagios4) are kept from
# starting: the lab starts its own (the servers in a
# network namespace, Slurm on ports of its own).
set -euo pipefail
group=${1:-build}
build=(gcc libc6-dev make cmake pkg-config libuv1-dev libwolfssl-dev libc-ares-dev libexpat1-dev)
demo=("${build[@]}" ca-certificates openssl iproute2 python3 nsd postfix dovecot-imapd
      dovecot-pop3d dovecot-lmtpd dovecot-managesieved vsftpd unbound ldnsutils nginx-light)
tuned=("${build[@]}" autoconf automake libtool dpkg-dev)
bench=("${demo[@]}" autoconf automake libtool dpkg-dev libssl-dev time valgrind nmap sslscan
       testssl.sh)
test=("${bench[@]}" clang libclang-rt-14-dev mandoc python3-jsonschema bash bash-completion zsh
      python3-yaml slurmctld slurmd slurm-client munge bind9-dnsutils chromium gnutls-bin
      postgresql mariadb-server slapd ldap-utils prosody inn2 prometheus prometheus-node-exporter
      nagios4-core swaks)
case $group in
build) packages=("${build[@]}") ;;
demo) packages=("${demo[@]}") ;;
test) packages=("${test[@]}") ;;
tuned) packages=("${tuned[@]}") ;;
bench) packages=("${bench[@]}") ;;
*) echo "usage: install-deps.sh build|demo|test|tuned|bench" >&2; exit 2 ;;
esac
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null; then
        echo "starttls-scan: make $group needs these Debian packages: ${missing[*]}" >&2
        echo "Installing them needs root, and sudo is not installed: run, as root," >&2
        echo "  apt-get install ${missing[*]}" >&2
        exit 1
    fi
    sudo=sudo
fi
echo "installing for '$group': ${missing[*]}"
# Only when a mail server is among them: no debconf question, no service started on the host.
added_policy=""
if printf '%s\n' "${missing[@]}" | grep -qxE 'postfix|nsd|dovecot-.*|vsftpd|munge|slurm.*|unbound|nginx.*|postgresql|mariadb-server|slapd|prosody|inn2|prometheus.*|nagios4-core'; then
    echo "postfix postfix/main_mailer_type select No configuration" | $sudo debconf-set-selections
    echo "slapd slapd/no_configuration boolean true" | $sudo debconf-set-selections
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
        $sudo chmod +x /usr/sbin/policy-rc.d
        added_policy=1
    fi
fi
trap '[ -n "$added_policy" ] && $sudo rm -f /usr/sbin/policy-rc.d' EXIT
$sudo apt-get update -q
others=()
for p in "${missing[@]}"; do [ "$p" = inn2 ] || others+=("$p"); done
[ ${#others[@]} -eq 0 ] || $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${others[@]}"
if [ ${#others[@]} -ne ${#missing[@]} ]; then
    # inn2's postinst asks innconfval for its paths, which needs the machine's
    # domain (hostname --fqdn) unless inn.conf names one: a machine without
    # one (a container, CI) would fail there. INNCONF gives it a copy of
    # inn.conf that names one. The postinst also adds an alias for usenet and
    # runs newaliases, which fails when postfix has no configuration: the
    # alias is added first, as the postinst would, so it is not needed.
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends inn2-inews
    innconf=$(mktemp)
    sed 's/^#*domain:.*/domain: localdomain/' /etc/news/inn.conf > "$innconf"
    chmod 644 "$innconf"
    if [ -f /etc/aliases ] && ! grep -q '^usenet:' /etc/aliases; then
        echo 'usenet: root' | $sudo tee -a /etc/aliases >/dev/null
    fi
    $sudo env INNCONF="$innconf" DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends inn2
    rm -f "$innconf"
fi
