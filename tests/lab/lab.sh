#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
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
# Starts a server in the background; PIDFILE gets the server's own pid (the
# subshell execs ip, which execs the server), so that down can stop it.
bg_in_ns() {
    local log=$1 pidfile=$2
    shift 2
    (exec ip netns exec "$(ns_of)" "$@") </dev/null >"$log" 2>&1 &
    echo $! > "$pidfile"
}

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
    # sixty: 60 MX records (over 512 bytes: UDP truncates, TCP must follow),
    # the lowest preferences listed last.
    for i in $(seq 0 59); do
        echo "sixty MX $((100 - i)) mx$i.sixty"
        echo "mx$i.sixty A 127.0.1.1"
    done >> "$dir/nsd/zone.lab.test"
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
    # The scanner asks this server as a recursive resolver would be asked
    # (MX, A, AAAA, TLSA, two TXT per domain); response rate limiting is
    # for authoritative servers facing the Internet, and would drop them.
    rrl-ratelimit: 0
remote-control:
    control-enable: no
zone:
    name: lab.test
    zonefile: zone.lab.test
CONF
    protect_zones
    cat "$dir/nsd/protect-zones.conf" >> "$dir/nsd/nsd.conf"
    in_ns nsd -c "$dir/nsd/nsd.conf" </dev/null >>"$dir/nsd/stdio.log" 2>&1 || { cat "$dir/nsd/stdio.log" >&2; return 1; }
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
        # Submission with SASL through dovecot: TLS required on 587, wrapper mode on 465;
        # and a port-25 server that offers AUTH in cleartext (a finding for an auditor).
        local sasl="-o smtpd_sasl_auth_enable=yes -o smtpd_sasl_type=dovecot -o smtpd_sasl_path=private/auth"
        personality 127.0.3.1 smtp.lab.test -o smtpd_tls_chain_files=$c/good.pem \
            -o smtpd_tls_security_level=encrypt -o smtpd_tls_auth_only=yes $sasl | sed 's/:25 /:587 /'
        personality 127.0.3.1 smtp.lab.test -o smtpd_tls_chain_files=$c/good.pem \
            -o smtpd_tls_wrappermode=yes $sasl | sed 's/:25 /:465 /'
        # Legacy servers Debian's wolfSSL cannot talk to: TLS 1.0 only, and
        # TLS 1.2 with static-RSA suites only. The ">=" form makes postfix set
        # OpenSSL's minimum version, overriding Debian's MinProtocol = TLSv1.2.
        personality 127.0.7.1 mx-tls10.lab.test -o smtpd_tls_chain_files=$c/good.pem \
            -o 'smtpd_tls_protocols=>=TLSv1:<=TLSv1' \
            -o 'tls_medium_cipherlist=DEFAULT:@SECLEVEL=0'
        personality 127.0.7.2 mx-rsa.lab.test -o smtpd_tls_chain_files=$c/good.pem \
            -o 'smtpd_tls_protocols=!SSLv2:!SSLv3:!TLSv1:!TLSv1.1:!TLSv1.3' \
            -o 'tls_medium_cipherlist=AES256-GCM-SHA384:AES128-GCM-SHA256:AES256-SHA:AES128-SHA'
        # Finite-field DHE only: postfix's own group, and a 1024-bit one (a survey
        # looks for those).
        personality 127.0.7.3 mx-dhe.lab.test -o smtpd_tls_chain_files=$c/good.pem \
            -o 'smtpd_tls_protocols=!SSLv2:!SSLv3:!TLSv1:!TLSv1.1:!TLSv1.3' \
            -o 'tls_medium_cipherlist=DHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256'
        personality 127.0.7.4 mx-dh1024.lab.test -o smtpd_tls_chain_files=$c/good.pem \
            -o 'smtpd_tls_protocols=!SSLv2:!SSLv3:!TLSv1:!TLSv1.1:!TLSv1.3' \
            -o "smtpd_tls_dh1024_param_file=$c/dh1024.pem" \
            -o 'tls_medium_cipherlist=DHE-RSA-AES256-GCM-SHA384:@SECLEVEL=0'
        # --ciphers: a server that follows the client's order (the others
        # prefer their own), with a weak suite among its few (Debian's OpenSSL has no 3DES).
        personality 127.0.7.5 mx-clientorder.lab.test -o smtpd_tls_chain_files=$c/good.pem \
            -o 'smtpd_tls_protocols=!SSLv2:!SSLv3:!TLSv1:!TLSv1.1:!TLSv1.3' -o tls_preempt_cipherlist=no \
            -o 'tls_medium_cipherlist=ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-GCM-SHA384:AES128-SHA'
        personality 127.0.3.2 mx-authplain.lab.test -o smtpd_tls_chain_files=$c/good.pem \
            -o smtpd_tls_auth_only=no $sasl
        # Submission with every SASL mechanism the second dovecot has (sasllab.sh).
        personality 127.0.4.2 sasl.lab.test -o smtpd_tls_chain_files=$c/good.pem \
            -o smtpd_tls_security_level=encrypt -o smtpd_tls_auth_only=yes -o smtpd_sasl_auth_enable=yes \
            -o smtpd_sasl_type=dovecot -o smtpd_sasl_path=private/auth-sasl | sed 's/:25 /:587 /'
        echo 'tlsmgr unix - - n 1000? 1 tlsmgr'
        echo 'anvil unix - - n - 1 anvil'
        echo 'postlog unix-dgram n - n - 1 postlogd'
    } > "$p/master.cf"
    in_ns postfix -c "$p" check
    in_ns postfix -c "$p" start </dev/null >>"$p/stdio.log" 2>&1 || { cat "$p/stdio.log" >&2; return 1; }
    wait_listen t 127.0.1.1:25
    wait_listen t '[::1]:25'
}

# What both dovecots' configurations share (this one and sasllab.sh's): their
# directories, TLS, the user's mail, the login services (IMAPS and POP3S on
# ports $2 and $3, 0 for none) and the auth socket postfix asks (its name $4).
dovecot_common() {
    local d=$1 imaps=$2 pop3s=$3 socket=$4 c=$dir/certs
    cat <<CONF
base_dir = $d/run
state_dir = $d/state
log_path = $d/dovecot.log
ssl = yes
ssl_cert = <$c/good.crt
ssl_key = <$c/good.key
ssl_min_protocol = TLSv1.2
ssl_prefer_server_ciphers = yes
disable_plaintext_auth = yes
mail_location = maildir:$d/mail/%u
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$d/mail/%u
}
service imap-login {
  inet_listener imap {
    port = 143
  }
  inet_listener imaps {
    port = $imaps
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 110
  }
  inet_listener pop3s {
    port = $pop3s
    ssl = yes
  }
}
service managesieve-login {
  inet_listener sieve {
    port = 4190
  }
}
service auth {
  unix_listener $dir/postfix/queue/private/$socket {
    mode = 0660
    user = postfix
    group = postfix
  }
}
CONF
}

start_dovecot() {
    local d=$dir/dovecot
    mkdir -p "$d/run" "$d/state" "$d/mail"
    # A user for the SASL tests: password "lab-password".
    echo 'labuser:{PLAIN}lab-password::::::' > "$d/users"
    {
        cat <<CONF
protocols = imap pop3 lmtp sieve
listen = 127.0.4.1
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $d/users
}
service lmtp {
  inet_listener lmtp {
    port = 24
  }
}
CONF
        dovecot_common "$d" 993 995 auth
    } > "$d/dovecot.conf"
    in_ns dovecot -c "$d/dovecot.conf" </dev/null >>"$d/stdio.log" 2>&1 || { cat "$d/stdio.log" >&2; return 1; }
    wait_listen t 127.0.4.1:995
}

# vsftpd: one with AUTH TLS in FEAT, one with ssl_tlsv1=NO, which leaves AUTH
# TLS out of FEAT yet accepts it and speaks TLS 1.3 (as openssl s_client shows).
vsftpd_instance() {
    local name=$1 addr=$2 extra=$3 d=$dir/$1 c=$dir/certs
    mkdir -p "$d" /var/run/vsftpd/empty
    cat > "$d/vsftpd.conf" <<CONF
listen=YES
listen_address=$addr
listen_port=21
background=NO
anonymous_enable=NO
local_enable=YES
ssl_enable=YES
rsa_cert_file=$c/good.crt
rsa_private_key_file=$c/good.key
ssl_ciphers=HIGH
seccomp_sandbox=NO
xferlog_enable=NO
vsftpd_log_file=$d/vsftpd.log
secure_chroot_dir=/var/run/vsftpd/empty
$extra
CONF
    bg_in_ns "$d/stdout.log" "$d/vsftpd.pid" vsftpd "$d/vsftpd.conf"
    wait_listen t "$addr:21"
}

start_vsftpd() {
    vsftpd_instance vsftpd 127.0.5.1 ""
    vsftpd_instance vsftpd-hidden 127.0.5.2 "ssl_tlsv1=NO"
}

# Another TLS stack for --ciphers (issue 16): GnuTLS's test server, implicit TLS on
# port 4433, TLS 1.0-1.3, one ordering the suites itself, one following the client.
start_gnutls() {
    command -v gnutls-serv >/dev/null || return 0 # the test group installs it; the demo needs none
    local c=$dir/certs prio='NORMAL:+VERS-TLS1.0:+VERS-TLS1.1:+AES-128-CBC:+SHA1'
    bg_in_ns "$dir/gnutls-server.log" "$dir/gnutls-server.pid" timeout 3600 gnutls-serv --echo -a -q \
        -p 4433 --x509certfile="$c/good.crt" --x509keyfile="$c/good.key" --priority="$prio:%SERVER_PRECEDENCE"
    bg_in_ns "$dir/gnutls-client.log" "$dir/gnutls-client.pid" timeout 3600 gnutls-serv --echo -a -q \
        -p 4434 --x509certfile="$c/good.crt" --x509keyfile="$c/good.key" --priority="$prio"
    wait_listen t 0.0.0.0:4433 && wait_listen t 0.0.0.0:4434
}

start_odd() {
    local c=$dir/certs
    ODD_EVENTS=$dir/counter.log bg_in_ns "$dir/odd.log" "$dir/odd.pid" /usr/bin/python3 "$here/oddsmtp.py" 3600 \
        trickle=127.0.2.8:25 flood=127.0.2.9:25 endless=127.0.2.10:25 garbage=127.0.2.11:25 \
        reset=127.0.2.12:25 weird=127.0.2.13:25 "tls:$c/weird.pem=127.0.2.14:25" \
        "tls:$c/big.pem=127.0.2.15:25" counter=127.0.2.30:25 "quiet-tls:$c/good.pem=127.0.2.16:25" \
        "tls:$c/negserial.pem=127.0.2.17:25" "tls:$c/longserial.pem=127.0.2.18:25" \
        "grey:$c/good.pem=127.0.2.19:25" "tarpit:$c/good.pem=127.0.2.20:25" \
        "echo-auth:$c/good.pem=127.0.2.21:25" "tls:$c/htmlcert.pem=127.0.2.22:25" \
        "scram-liar:$c/good.pem=127.0.2.23:25" "scram-mute:$c/good.pem=127.0.2.24:25" \
        silent=127.0.2.1:25 multiline=127.0.2.2:25 454=127.0.2.3:25 helo=127.0.2.4:25 454pipe=127.0.2.25:25 \
        inject=127.0.2.5:25 421=127.0.2.6:25 hangup=127.0.2.7:25 \
        imap-preauth=127.0.6.1:143 imap-bye=127.0.6.2:143 imap-no=127.0.6.3:143 \
        pop3-err=127.0.6.4:110
    wait_listen t 127.0.2.7:25
    bg_in_ns "$dir/odddns.log" "$dir/odddns.pid" /usr/bin/python3 "$here/odddns.py" 3600 127.0.54.1
    wait_listen u 127.0.54.1:53
}

# shellcheck source=tests/lab/protect.sh
. "$here/protect.sh"
# shellcheck source=tests/lab/beyondmail.sh
. "$here/beyondmail.sh"
# shellcheck source=tests/lab/sasllab.sh
. "$here/sasllab.sh"

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
    # dovecot puts its SASL socket where postfix looks for it; postfix owns the directory.
    mkdir -p "$dir/postfix/queue/private"
    chown postfix "$dir/postfix/queue/private"
    chmod 700 "$dir/postfix/queue/private"
    start_dovecot
    start_sasl
    start_postfix
    start_vsftpd
    start_odd
    start_gnutls
    start_protect
    start_dbs
    ;;
exec)
    shift 2
    in_ns "$@"
    ;;
down)
    [ -f "$dir/netns" ] || exit 0
    stop_protect
    stop_dbs
    stop_sasl
    stop_pid "$dir/odd.pid"
    stop_pid "$dir/odddns.pid"
    stop_pid "$dir/gnutls-server.pid"
    stop_pid "$dir/gnutls-client.pid"
    stop_pid "$dir/vsftpd/vsftpd.pid"
    stop_pid "$dir/vsftpd-hidden/vsftpd.pid"
    stop_pid "$dir/dovecot/run/master.pid"
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
