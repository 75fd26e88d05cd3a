# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# The lab's servers beyond mail (sourced by lab.sh; issue 25): PostgreSQL,
# MariaDB and OpenLDAP's slapd on db.lab.test (127.0.10.1), each with the
# lab's certificate; PostgreSQL and slapd once more on db-nossl.lab.test
# (127.0.10.2) with TLS off, as servers without it answer; prosody (XMPP
# c2s, s2s and direct TLS) for xmpp.lab.test on 127.0.11.1; INN's nnrpd
# (NNTP with STARTTLS, NNTPS) on news.lab.test, 127.0.12.1.
# Each is Debian's own binary, started by hand inside the namespace, stopped
# by its pid. The test group installs them; the demo needs none, so a server
# whose package is missing is left out.

# Copies the lab's key and certificate where USER can read them.
db_certs() {
    local user=$1 to=$2
    cp "$dir/certs/good.crt" "$dir/certs/good.key" "$to/"
    chown "$user" "$to/good.crt" "$to/good.key"
    chmod 600 "$to/good.key"
}

postgres_instance() {
    local name=$1 addr=$2 ssl=$3 bin p=$dir/$1
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
    rm -rf "$p" # a lab directory used before
    mkdir -p "$p"
    chown postgres "$p"
    db_certs postgres "$p"
    setpriv --reuid=postgres --regid=postgres --init-groups "$bin/initdb" -D "$p/data" -A trust \
        -U postgres >"$p/initdb.log" 2>&1 || { cat "$p/initdb.log" >&2; return 1; }
    cat >> "$p/data/postgresql.conf" <<CONF
listen_addresses = '$addr'
port = 5432
unix_socket_directories = '$p'
ssl = $ssl
ssl_cert_file = '$p/good.crt'
ssl_key_file = '$p/good.key'
ssl_min_protocol_version = 'TLSv1.2'
CONF
    bg_in_ns "$p/stdout.log" "$p/pid" setpriv --reuid=postgres --regid=postgres --init-groups \
        "$bin/postgres" -D "$p/data"
    wait_listen t "$addr:5432"
}

start_mariadb() {
    local m=$dir/mariadb
    rm -rf "$m"
    mkdir -p "$m"
    chown mysql "$m"
    db_certs mysql "$m"
    mariadb-install-db --no-defaults --datadir="$m/data" --user=mysql --skip-test-db \
        --auth-root-authentication-method=normal >"$m/install.log" 2>&1 || { cat "$m/install.log" >&2; return 1; }
    bg_in_ns "$m/stdout.log" "$m/pid" mariadbd --no-defaults --datadir="$m/data" --user=mysql \
        --bind-address=127.0.10.1 --port=3306 --socket="$m/sock" --skip-name-resolve \
        --ssl-cert="$m/good.crt" --ssl-key="$m/good.key" --log-error="$m/error.log"
    wait_listen t 127.0.10.1:3306
}

slapd_instance() {
    local name=$1 addr=$2 tls=$3 l=$dir/$1
    rm -rf "$l"
    mkdir -p "$l/db"
    {
        echo "include /etc/ldap/schema/core.schema"
        echo "pidfile $l/slapd.pid"
        echo "argsfile $l/slapd.args"
        echo "modulepath /usr/lib/ldap"
        echo "moduleload back_mdb"
        [ -z "$tls" ] || printf 'TLSCertificateFile %s\nTLSCertificateKeyFile %s\n' \
            "$dir/certs/good.crt" "$dir/certs/good.key"
        printf 'database mdb\nsuffix "dc=lab,dc=test"\ndirectory %s/db\n' "$l"
    } > "$l/slapd.conf"
    local urls="ldap://$addr:389/"
    [ -z "$tls" ] || urls="$urls ldaps://$addr:636/"
    in_ns slapd -f "$l/slapd.conf" -h "$urls" >"$l/stdout.log" 2>&1 || { cat "$l/stdout.log" >&2; return 1; }
    wait_listen t "$addr:389"
}

start_prosody() {
    local x=$dir/prosody
    rm -rf "$x"
    mkdir -p "$x/data"
    chown -R prosody "$x"
    db_certs prosody "$x"
    cat > "$x/prosody.cfg.lua" <<CONF
pidfile = "$x/prosody.pid"
data_path = "$x/data"
log = { info = "$x/prosody.log" }
interfaces = { "127.0.11.1" }
c2s_ports = { 5222 }
s2s_ports = { 5269 }
c2s_direct_tls_ports = { 5223 }
modules_enabled = { "tls", "saslauth", "dialback", "disco", "ping" }
c2s_require_encryption = true
s2s_require_encryption = true
authentication = "internal_hashed"
certificates = "$x"
ssl = { certificate = "$x/good.crt", key = "$x/good.key" }
VirtualHost "xmpp.lab.test"
VirtualHost "chat.lab.test"
CONF
    # check --auth-user's XMPP test (issue 26): labuser@xmpp.lab.test, SCRAM-SHA-1 and PLAIN.
    setpriv --reuid=prosody --regid=prosody --init-groups prosodyctl --config "$x/prosody.cfg.lua" \
        register labuser xmpp.lab.test lab-password >"$x/register.log" 2>&1 || { cat "$x/register.log" >&2; return 1; }
    bg_in_ns "$x/stdout.log" "$x/pid" setpriv --reuid=prosody --regid=prosody --init-groups \
        prosody -F --config "$x/prosody.cfg.lua"
    wait_listen t 127.0.11.1:5222
}

# nnrpd alone (no innd: a reader's dialog needs none), with a copy of
# Debian's /etc/news whose paths point into the lab, and an overview of its
# own made by makehistory. One daemon for port 119, one with -S for 563.
start_inn() {
    local n=$dir/inn f
    rm -rf "$n"
    mkdir -p "$n/log" "$n/run" "$n/overview"
    for f in /etc/news/*; do [ -f "$f" ] && cp "$f" "$n/"; done
    db_certs news "$n"
    sed -e "s#^\#*domain:.*#domain: lab.test#" -e "s#^pathhost:.*#pathhost: news.lab.test#" \
        -e "s#^pathetc:.*#pathetc: $n#" -e "s#^pathlog:.*#pathlog: $n/log#" -e "s#^pathrun:.*#pathrun: $n/run#" \
        -e "s#^pathoverview:.*#pathoverview: $n/overview#" -e "s#^\#*tlscertfile:.*#tlscertfile: $n/good.crt#" \
        -e "s#^\#*tlskeyfile:.*#tlskeyfile: $n/good.key#" /etc/news/inn.conf > "$n/inn.conf"
    printf 'auth "all" {\n    hosts: "*"\n    default: "<all>"\n}\naccess "all" {\n    users: "*"\n    newsgroups: "*"\n    access: RP\n}\n' \
        > "$n/readers.conf"
    chown -R news "$n"
    INNCONF=$n/inn.conf setpriv --reuid=news --regid=news --init-groups /usr/lib/news/bin/makehistory -O -x -F \
        >"$n/makehistory.log" 2>&1 || { cat "$n/makehistory.log" >&2; return 1; }
    INNCONF=$n/inn.conf bg_in_ns "$n/nntp.log" "$n/nntp.pid" /usr/lib/news/bin/nnrpd -D -f -b 127.0.12.1 -p 119
    INNCONF=$n/inn.conf bg_in_ns "$n/nntps.log" "$n/nntps.pid" /usr/lib/news/bin/nnrpd -D -f -S -b 127.0.12.1 -p 563
    wait_listen t 127.0.12.1:119 && wait_listen t 127.0.12.1:563
}

start_dbs() {
    if command -v setpriv >/dev/null && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
        postgres_instance postgres 127.0.10.1 on
        postgres_instance postgres-nossl 127.0.10.2 off
    fi
    if command -v mariadbd >/dev/null; then start_mariadb; fi
    if command -v slapd >/dev/null; then
        slapd_instance slapd 127.0.10.1 tls
        slapd_instance slapd-nossl 127.0.10.2 ""
    fi
    if command -v prosody >/dev/null; then start_prosody; fi
    if [ -x /usr/lib/news/bin/nnrpd ]; then start_inn; fi
}

stop_dbs() {
    stop_pid "$dir/postgres/pid"
    stop_pid "$dir/postgres-nossl/pid"
    stop_pid "$dir/mariadb/pid"
    stop_pid "$dir/slapd/slapd.pid"
    stop_pid "$dir/slapd-nossl/slapd.pid"
    stop_pid "$dir/prosody/pid"
    stop_pid "$dir/inn/nntp.pid"
    stop_pid "$dir/inn/nntps.pid"
}
