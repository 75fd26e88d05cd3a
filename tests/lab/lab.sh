#!/usr/bin/env bash
# The lab: real servers inside a network namespace this script creates.
#
#   lab.sh up DIR       make certificates, start nsd, postfix and odd servers
#   lab.sh exec DIR CMD run CMD inside the lab's namespace
#   lab.sh down DIR     stop every process by its pid, delete the namespace
#
# Every address is on the namespace's own loopback: nothing leaves it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:?usage: lab.sh up|exec|down DIR}
dir=${2:?usage: lab.sh up|exec|down DIR}
ns_of() { cat "$dir/netns"; }
in_ns() { ip netns exec "$(ns_of)" "$@"; }

# Waits up to 10 s until something listens on ADDR:PORT (tcp or udp).
wait_listen() {
    local proto=$1 where=$2 i
    for i in $(seq 100); do
        if in_ns ss -Hln"${proto}" | awk '{print $4}' | grep -qxF "$where"; then return 0; fi
        sleep 0.1
    done
    echo "lab.sh: nothing listens on $where ($proto)" >&2
    return 1
}

start_nsd() {
    mkdir -p "$dir/nsd"
    cp "$here/zone.lab.test" "$dir/nsd/zone.lab.test"
    # Bulk: 400 domains over 200 MX names, all on the good personality.
    local i
    for i in $(seq 0 199); do echo "m$i.bulk A 127.0.1.1"; done >> "$dir/nsd/zone.lab.test"
    for i in $(seq 0 399); do echo "d$i.bulk MX 10 m$((i % 200)).bulk"; done >> "$dir/nsd/zone.lab.test"
    cat > "$dir/nsd/nsd.conf" <<CONF
server:
    ip-address: 127.0.53.1
    port: 53
    username: ""
    chroot: ""
    zonesdir: "$dir/nsd"
    pidfile: "$dir/nsd/nsd.pid"
    database: ""
    logfile: "$dir/nsd/nsd.log"
    xfrdfile: "$dir/nsd/xfrd.state"
    xfrdir: "$dir/nsd"
    zonelistfile: "$dir/nsd/zone.list"
    server-count: 1
    verbosity: 1
remote-control:
    control-enable: no
zone:
    name: lab.test
    zonefile: zone.lab.test
CONF
    in_ns nsd -c "$dir/nsd/nsd.conf"
    wait_listen u 127.0.53.1:53
}

# One smtpd per personality, each on its own address.
personality() {
    local addr=$1 name=$2; shift 2
    # syslog_name tells the personalities apart in the maillog the tests read.
    printf '%s:25 inet n - n - - smtpd -o myhostname=%s -o syslog_name=postfix/%s' \
        "$addr" "$name" "${name%%.*}"
    printf ' %s' "$@"
    printf '\n'
}

start_postfix() {
    local p=$dir/postfix c=$dir/certs
    mkdir -p "$p/queue" "$p/data"
    chown postfix "$p/data"
    cat > "$p/main.cf" <<CONF
compatibility_level = 3.7
queue_directory = $p/queue
data_directory = $p/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.lab.test
mydomain = lab.test
mydestination =
inet_interfaces = all
inet_protocols = all
maillog_file = $p/maillog
maillog_file_prefixes = $p
smtpd_banner = \$myhostname ESMTP lab
smtpd_tls_security_level = may
smtpd_tls_loglevel = 1
tls_preempt_cipherlist = yes
alias_maps =
alias_database =
local_recipient_maps =
smtpd_relay_restrictions = reject
biff = no
CONF
    {
        personality 127.0.1.1 mx-good.lab.test -o smtpd_tls_chain_files=$c/good.pem
        personality 127.0.1.2 mx-expired.lab.test -o smtpd_tls_chain_files=$c/expired.pem
        personality 127.0.1.3 mx-self.lab.test -o smtpd_tls_chain_files=$c/self.pem
        personality 127.0.1.4 mx-wrongname.lab.test -o smtpd_tls_chain_files=$c/wrongname.pem
        personality 127.0.1.5 mx-tls12.lab.test -o smtpd_tls_chain_files=$c/good.pem \
            -o 'smtpd_tls_protocols=!SSLv2:!SSLv3:!TLSv1:!TLSv1.1:!TLSv1.3'
        personality 127.0.1.6 mx-tls13.lab.test -o smtpd_tls_chain_files=$c/good.pem \
            -o 'smtpd_tls_protocols=!SSLv2:!SSLv3:!TLSv1:!TLSv1.1:!TLSv1.2'
        personality 127.0.1.7 mx-plain.lab.test -o smtpd_tls_security_level=none
        personality 127.0.1.8 mx-refuse.lab.test -o smtpd_delay_reject=no \
            -o smtpd_client_restrictions=reject
        personality 127.0.1.9 mx-ecdsa.lab.test -o smtpd_tls_chain_files=$c/ecdsa.pem
        personality '[::1]' mx-v6.lab.test -o smtpd_tls_chain_files=$c/good.pem
        echo 'tlsmgr unix - - n 1000? 1 tlsmgr'
        echo 'anvil unix - - n - 1 anvil'
        echo 'postlog unix-dgram n - n - 1 postlogd'
    } > "$p/master.cf"
    in_ns postfix -c "$p" check
    in_ns postfix -c "$p" start >/dev/null
    wait_listen t 127.0.1.1:25
    wait_listen t '[::1]:25'
}

start_odd() {
    in_ns /usr/bin/python3 "$here/oddsmtp.py" 3600 \
        silent=127.0.2.1:25 multiline=127.0.2.2:25 454=127.0.2.3:25 helo=127.0.2.4:25 \
        inject=127.0.2.5:25 421=127.0.2.6:25 hangup=127.0.2.7:25 \
        >"$dir/odd.log" 2>&1 &
    echo $! > "$dir/odd.pid"
    wait_listen t 127.0.2.7:25
}

stop_pid() {
    local file=$1 pid i
    [ -s "$file" ] || return 0
    pid=$(head -n1 "$file" | tr -d ' ')
    kill "$pid" 2>/dev/null || return 0
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
}

case $cmd in
up)
    # postfix drops privileges: its user must reach the queue and data dirs.
    mkdir -p "$dir"
    chmod 755 "$dir"
    echo "stslab$$" > "$dir/netns"
    ip netns add "$(ns_of)"
    in_ns ip link set lo up
    bash "$here/certs.sh" "$dir/certs"
    start_nsd
    start_postfix
    start_odd
    ;;
exec)
    shift 2
    in_ns "$@"
    ;;
down)
    [ -f "$dir/netns" ] || exit 0
    stop_pid "$dir/odd.pid"
    stop_pid "$dir/postfix/queue/pid/master.pid"
    stop_pid "$dir/nsd/nsd.pid"
    ip netns del "$(ns_of)" 2>/dev/null || true
    rm -f "$dir/netns"
    ;;
*)
    echo "usage: lab.sh up|exec|down DIR" >&2
    exit 2
    ;;
esac
