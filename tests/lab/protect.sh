# SPDX-License-Identifier: GPL-2.0-or-later
# The protection lab (issue 15), sourced by lab.sh: DNSSEC-signed zones
# served by the lab's nsd, a validating unbound in front of it with the
# lab's trust anchors, STARTTLS servers whose chains the TLSA records
# match or not, and nginx serving MTA-STS policies over HTTPS.
#
#   sec.test      signed (ldns-signzone): TLSA of every usage, selector and
#                 matching type, matching and not; a secure MX answer
#   bogus.test    signed, then a TLSA record changed: its signature fails
#   plain.test    not signed: TLSA records the resolver cannot vouch for
#   sts.test      not signed: MTA-STS and TLS-RPT records, policies on nginx
#
# Addresses: unbound 127.0.53.2, DANE servers 127.0.9.1-9, nginx 127.0.9.80.
# The records are generated from the certificates made here; lab_protect.py
# reads the same files (protect/expect.json) to know what each row must say.

protect_certs() {
    local c=$dir/certs p=$dir/protect
    mkdir -p "$p"
    local q="openssl"
    # An intermediate CA under the lab's root, and leaves under it.
    $q req -newkey rsa:2048 -nodes -keyout "$p/int.key" -out "$p/int.csr" \
        -subj "/O=STS Lab/CN=STS Lab DANE Intermediate" 2>/dev/null
    printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' > "$p/int.ext"
    $q x509 -req -in "$p/int.csr" -CA "$c/ca.pem" -CAkey "$c/ca.key" -set_serial 0x5001 -days 800 \
        -extfile "$p/int.ext" -out "$p/int.pem" 2>/dev/null
    # leaf NAME SANS: key, leaf, intermediate (the chain as sent)
    plead() {
        local name=$1 sans=$2 san="" n
        $q req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$p/$name.key" \
            -out "$p/$name.csr" -subj "/O=STS Lab/CN=${sans%%,*}" 2>/dev/null
        IFS=, read -ra names <<< "$sans"
        for n in "${names[@]}"; do san="${san:+$san,}DNS:$n"; done
        printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$san" > "$p/$name.ext"
        $q x509 -req -in "$p/$name.csr" -CA "$p/int.pem" -CAkey "$p/int.key" -days 400 \
            -set_serial "0x$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" -extfile "$p/$name.ext" \
            -out "$p/$name.crt" 2>/dev/null
        cat "$p/$name.key" "$p/$name.crt" "$p/int.pem" > "$p/$name.pem"
    }
    plead dane mx-ee.sec.test,mx-ta.sec.test,mx-ta211.sec.test,mx-taroot.sec.test,mx-taroot200.sec.test,mx-pkix.sec.test,mx-wrong.sec.test,mx-none.sec.test,mx.plain.test,mx.bogus.test
    plead tadom tadom.sec.test              # names the domain, not its MX host
    plead oddpolicy mta-sts.stall.sts.test,mta-sts.cutlen.sts.test,mta-sts.nolast.sts.test,mta-sts.noclose.sts.test,mta-sts.html.sts.test,mta-sts.notype.sts.test,mta-sts.plainx.sts.test,mta-sts.interim.sts.test
    plead policy mta-sts.enforce.sts.test,mta-sts.testing.sts.test,mta-sts.none.sts.test,mta-sts.nomatch.sts.test,mta-sts.badcert.sts.test,mta-sts.redirect.sts.test,mta-sts.big.sts.test,mta-sts.malformed.sts.test,mta-sts.slow1.sts.test,mta-sts.slow2.sts.test,mta-sts.slow3.sts.test,mta-sts.manymx.sts.test
    cat "$p/policy.crt" "$p/int.pem" > "$p/policy-chain.crt"
    # What the records hold, from the certificates: "usage selector mtype" -> hex.
    dgst() { openssl dgst "-$1" -r | cut -d' ' -f1; }
    der() { openssl x509 -in "$1" -outform DER; }
    spki() { openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER; }
    LEAF301=$(der "$p/dane.crt" | dgst sha256)
    LEAF311=$(spki "$p/dane.crt" | dgst sha256)
    LEAF312=$(spki "$p/dane.crt" | dgst sha512)
    LEAF300=$(der "$p/dane.crt" | od -An -v -tx1 | tr -d ' \n')
    INT201=$(der "$p/int.pem" | dgst sha256)
    INT211=$(spki "$p/int.pem" | dgst sha256)
    ROOT211=$(spki "$c/ca.pem" | dgst sha256)
    ROOT200=$(der "$c/ca.pem" | od -An -v -tx1 | tr -d ' \n')
    OTHER311=$(spki "$c/good.crt" | dgst sha256)
}

# A signed zone: ldns-signzone with a KSK and a ZSK; the KSK is unbound's anchor.
sign_zone() {
    local zone=$1 file=$2 z=$dir/nsd
    (cd "$z" && ldns-keygen -a ECDSAP256SHA256 -k "$zone" > "$zone.ksk" &&
        ldns-keygen -a ECDSAP256SHA256 "$zone" > "$zone.zsk")
    (cd "$z" && ldns-signzone -f "$file.signed" "$file" "$(cat "$zone.ksk")" "$(cat "$zone.zsk")")
    cat "$z/$(cat "$z/$zone.ksk").key" >> "$dir/unbound/anchors"
}

# A zone whose domain has one MX host, mx, with a matching "3 1 1" record.
one_mx_zone() {
    cat <<ZONE
\$ORIGIN $1.
\$TTL 60
@        SOA ns.lab.test. admin.lab.test. 1 3600 600 86400 60
@        NS  ns.lab.test.
@        MX 10 mx
mx       A 127.0.9.1
_25._tcp.mx TLSA 3 1 1 $LEAF311
ZONE
}

protect_zones() {
    local z=$dir/nsd
    mkdir -p "$dir/unbound"
    : > "$dir/unbound/anchors"
    protect_certs
    cat > "$z/sec.test" <<ZONE
\$ORIGIN sec.test.
\$TTL 60
@        SOA ns.lab.test. admin.lab.test. 1 3600 600 86400 60
@        NS  ns.lab.test.
; Each domain X has the MX host mx-X; its TLSA records say what it tests.
ee311    MX 10 mx-ee
ee311b   MX 10 mx-ee
ee301    MX 10 mx-ee301
ee312    MX 10 mx-ee312
ee300    MX 10 mx-ee300
ta201    MX 10 mx-ta
ta211    MX 10 mx-ta211
taroot   MX 10 mx-taroot
taroot200 MX 10 mx-taroot200
wrong    MX 10 mx-wrong
pkix     MX 10 mx-pkix
none     MX 10 mx-none
nostls   MX 10 mx-nostls
tadom    MX 10 mx-tadom
tadomx   MX 10 mx-tadomx
mixed    MX 10 mx-ee
mixed    MX 20 mx-wrong
; Submission servers found through signed SRV records (RFC 7673; issue 25).
_submission._tcp.srv      SRV 0 0 25 mx-ee
_submission._tcp.srvwrong SRV 0 0 25 mx-wrong
mx-ee    A 127.0.9.1
mx-ee301 A 127.0.9.1
mx-ee312 A 127.0.9.1
mx-ee300 A 127.0.9.1
mx-ta    A 127.0.9.1
mx-ta211 A 127.0.9.1
mx-taroot A 127.0.9.1
mx-taroot200 A 127.0.9.1
mx-wrong A 127.0.9.1
mx-pkix  A 127.0.9.1
mx-none  A 127.0.9.1
mx-nostls A 127.0.1.7
mx-tadom A 127.0.9.2
mx-tadomx A 127.0.9.2
_25._tcp.mx-ee      TLSA 3 1 1 $LEAF311
_25._tcp.mx-ee301   TLSA 3 0 1 $LEAF301
_25._tcp.mx-ee312   TLSA 3 1 2 $LEAF312
_25._tcp.mx-ee300   TLSA 3 0 0 $LEAF300
_25._tcp.mx-ta      TLSA 2 0 1 $INT201
_25._tcp.mx-ta211   TLSA 2 1 1 $INT211
_25._tcp.mx-taroot  TLSA 2 1 1 $ROOT211
_25._tcp.mx-taroot200 TLSA 2 0 0 $ROOT200
_25._tcp.mx-wrong   TLSA 3 1 1 $OTHER311
_25._tcp.mx-wrong   TLSA 3 0 1 $OTHER311
_25._tcp.mx-pkix    TLSA 1 1 1 $LEAF311
_25._tcp.mx-pkix    TLSA 0 1 1 $INT211
_25._tcp.mx-nostls  TLSA 3 1 1 $LEAF311
_25._tcp.mx-tadom   TLSA 2 0 1 $INT201
_25._tcp.mx-tadomx  TLSA 2 0 1 $INT201
many70   MX 10 mx-many70
mx-many70 A 127.0.9.1
ZONE
    # 69 records that match nothing, sorting before the one that matches
    # (canonical order; unbound keeps it: rrset-roundrobin no): the 70th counts.
    for i in $(seq 69); do printf '_25._tcp.mx-many70 TLSA 3 1 1 %064x\n' "$i"; done >> "$z/sec.test"
    printf '_25._tcp.mx-many70 TLSA 3 1 1 %s\n' "$LEAF311" >> "$z/sec.test"
    # tadomx: the same server under another domain: the certificate names
    # tadom.sec.test, which is neither tadomx's MX host nor tadomx itself.
    one_mx_zone bogus.test > "$z/bogus.test"
    one_mx_zone plain.test > "$z/plain.test"
    sts_zone > "$z/sts.test"
    sign_zone sec.test sec.test
    sign_zone bogus.test bogus.test
    # The signature stays, the record changes: validation fails (bogus).
    sed -i -E "s/(TLSA[[:space:]]+3 1 1 )[0-9a-f]{8}/\10badc0de/" "$z/bogus.test.signed"
    for zone in sec.test bogus.test; do
        printf 'zone:\n    name: %s\n    zonefile: %s.signed\n' "$zone" "$zone"
    done > "$z/protect-zones.conf"
    for zone in plain.test sts.test; do
        printf 'zone:\n    name: %s\n    zonefile: %s\n' "$zone" "$zone"
    done >> "$z/protect-zones.conf"
}

sts_zone() {
    cat <<ZONE
\$ORIGIN sts.test.
\$TTL 60
@        SOA ns.lab.test. admin.lab.test. 1 3600 600 86400 60
@        NS  ns.lab.test.
enforce    MX 10 mx-good.lab.test.
testing    MX 10 mx-tls12.lab.test.
none       MX 10 mx-good.lab.test.
nomatch    MX 10 mx-good.lab.test.
badcert    MX 10 mx-expired.lab.test.
redirect   MX 10 mx-good.lab.test.
big        MX 10 mx-good.lab.test.
wrongname  MX 10 mx-good.lab.test.
malformed  MX 10 mx-good.lab.test.
badtxt     MX 10 mx-good.lab.test.
notxt      MX 10 mx-good.lab.test.
nohost     MX 10 mx-good.lab.test.
slow1      MX 10 mx-good.lab.test.
slow2      MX 10 mx-good.lab.test.
slow3      MX 10 mx-good.lab.test.
_mta-sts.slow1     TXT "v=STSv1; id=slow1"
_mta-sts.slow2     TXT "v=STSv1; id=slow2"
_mta-sts.slow3     TXT "v=STSv1; id=slow3"
_mta-sts.enforce   TXT "v=STSv1; id=20261201enforce;"
_mta-sts.testing   TXT "v=STSv1;" " id=20261201T1"
_mta-sts.none      TXT "v=STSv1; id=none1"
_mta-sts.nomatch   TXT "v=STSv1; id=nomatch1"
_mta-sts.badcert   TXT "v=STSv1; id=badcert1"
_mta-sts.redirect  TXT "v=STSv1; id=redirect1"
_mta-sts.big       TXT "v=STSv1; id=big1"
_mta-sts.wrongname TXT "v=STSv1; id=wrongname1"
_mta-sts.malformed TXT "v=STSv1; id=malformed1"
_mta-sts.badtxt    TXT "v=STSv1; id=bad id"
_mta-sts.nohost    TXT "v=STSv1; id=nohost1"
_mta-sts.notxt     TXT "v=spf1 -all"
manymx     MX 10 mx-good.lab.test.
_mta-sts.manymx    TXT "v=STSv1; id=manymx1"
_smtp._tls.enforce TXT "v=TLSRPTv1; rua=mailto:tlsrpt@sts.test,https://report.sts.test/v1"
_smtp._tls.testing TXT "v=TLSRPTv1;rua=mailto:reports@testing.sts.test"
_smtp._tls.badtxt  TXT "v=TLSRPTv1; rua=ftp://report.sts.test/"
ZONE
    local d
    for d in enforce testing none nomatch badcert redirect big wrongname malformed slow1 slow2 slow3 manymx; do
        echo "mta-sts.$d A 127.0.9.80"
    done
    # The policies oddhttps.py serves: bodies stalled or cut, other media types, 1xx first.
    for d in stall cutlen nolast noclose html notype plainx interim; do
        printf '%s MX 10 mx-good.lab.test.\n_mta-sts.%s TXT "v=STSv1; id=%s1"\nmta-sts.%s A 127.0.9.81\n' "$d" "$d" "$d" "$d"
    done
}

# The policies nginx serves, one directory per policy host.
nginx_site() {
    local w=$dir/nginx/www
    pol() { mkdir -p "$w/mta-sts.$1.sts.test/.well-known"; printf "$2" > "$w/mta-sts.$1.sts.test/.well-known/mta-sts.txt"; }
    pol enforce 'version: STSv1\r\nmode: enforce\r\nmx: mx-good.lab.test\r\nmax_age: 86400\r\n'
    pol testing 'version: STSv1\nmode: testing\nmx: *.lab.test\nmax_age: 604800\n'
    pol none 'version: STSv1\nmode: none\nmax_age: 86400\n'
    pol nomatch 'version: STSv1\nmode: enforce\nmx: mail.other.example\nmx: *.other.example\nmax_age: 86400\n'
    pol badcert 'version: STSv1\nmode: enforce\nmx: mx-expired.lab.test\nmax_age: 86400\n'
    pol malformed 'version: STSv1\nmode: enforce\nmax_age: 86400\n'
    pol wrongname 'version: STSv1\nmode: enforce\nmx: mx-good.lab.test\nmax_age: 86400\n'
    for i in 1 2 3; do pol slow$i 'version: STSv1\nmode: testing\nmx: mx-good.lab.test\nmax_age: 86400\n'; done
    # 200 mx patterns, the MX host's the last.
    mkdir -p "$w/mta-sts.manymx.sts.test/.well-known"
    { printf 'version: STSv1\nmode: enforce\nmax_age: 86400\n'
      for i in $(seq 199); do printf 'mx: mx%03d.other.example\n' "$i"; done
      printf 'mx: mx-good.lab.test\n'
    } > "$w/mta-sts.manymx.sts.test/.well-known/mta-sts.txt"
    mkdir -p "$w/mta-sts.big.sts.test/.well-known"
    { printf 'version: STSv1\nmode: enforce\nmx: mx-good.lab.test\nmax_age: 86400\n'
      for i in $(seq 1200); do printf 'x-padding-%04d: %s\n' "$i" "$(printf '%048d' 0)"; done
    } > "$w/mta-sts.big.sts.test/.well-known/mta-sts.txt"
    local p=$dir/protect c=$dir/certs
    cat > "$dir/nginx/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/error.log;
events { worker_connections 64; }
http {
    log_format timed '\$msec \$request_time \$host \$status';
    access_log $dir/nginx/access.log timed;
    client_body_temp_path $dir/nginx/tmp;
    proxy_temp_path $dir/nginx/tmp;
    fastcgi_temp_path $dir/nginx/tmp;
    uwsgi_temp_path $dir/nginx/tmp;
    scgi_temp_path $dir/nginx/tmp;
    default_type text/plain;
    # Any other name (wrongname): a certificate for another name.
    server {
        listen 127.0.9.80:443 ssl default_server;
        ssl_certificate $c/wrongname.crt;
        ssl_certificate_key $c/wrongname.key;
        root $w/mta-sts.wrongname.sts.test;
    }
    server {
        listen 127.0.9.80:443 ssl;
        server_name mta-sts.enforce.sts.test mta-sts.testing.sts.test mta-sts.none.sts.test
                    mta-sts.nomatch.sts.test mta-sts.badcert.sts.test mta-sts.big.sts.test
                    mta-sts.malformed.sts.test mta-sts.manymx.sts.test;
        ssl_certificate $p/policy-chain.crt;
        ssl_certificate_key $p/policy.key;
        root $w/\$host;
    }
    # Slow policies (about 1.5 s each, headers included): --per-host shows in their times.
    server {
        listen 127.0.9.80:443 ssl;
        server_name mta-sts.slow1.sts.test mta-sts.slow2.sts.test mta-sts.slow3.sts.test;
        ssl_certificate $p/policy-chain.crt;
        ssl_certificate_key $p/policy.key;
        root $w/\$host;
        limit_rate 200;
    }
    server {
        listen 127.0.9.80:443 ssl;
        server_name mta-sts.redirect.sts.test;
        ssl_certificate $p/policy-chain.crt;
        ssl_certificate_key $p/policy.key;
        return 301 https://mta-sts.enforce.sts.test/.well-known/mta-sts.txt;
    }
}
CONF
}

start_protect() {
    local u=$dir/unbound
    cat > "$u/unbound.conf" <<CONF
server:
    interface: 127.0.53.2
    port: 53
    username: ""
    chroot: ""
    directory: "$u"
    pidfile: "$u/unbound-own.pid"
    logfile: "$u/unbound.log"
    use-syslog: no
    do-daemonize: no
    do-ip6: no
    num-threads: 1
    so-reuseport: no
    do-not-query-localhost: no
    access-control: 127.0.0.0/8 allow
    trust-anchor-file: "$u/anchors"
    module-config: "validator iterator"
    val-log-level: 2
    cache-max-ttl: 5
    qname-minimisation: no
    rrset-roundrobin: no
    aggressive-nsec: no
    # test. is a special-use name (RFC 6761) that unbound answers itself.
    local-zone: "test." nodefault
remote-control:
    control-enable: no
CONF
    local zone
    for zone in sec.test bogus.test plain.test sts.test lab.test; do
        printf 'stub-zone:\n    name: "%s"\n    stub-addr: 127.0.53.1\n' "$zone" >> "$u/unbound.conf"
    done
    bg_in_ns "$u/stdio.log" "$u/run.pid" unbound -d -c "$u/unbound.conf"
    wait_listen u 127.0.53.2:53
    mkdir -p "$dir/nginx/tmp"
    nginx_site
    bg_in_ns "$dir/nginx/stdio.log" "$dir/nginx/run.pid" nginx -c "$dir/nginx/nginx.conf" -e "$dir/nginx/error.log"
    wait_listen t 127.0.9.80:443
    local p=$dir/protect
    bg_in_ns "$p/odd.log" "$p/odd.pid" /usr/bin/python3 "$here/oddsmtp.py" 3600 \
        "tls:$p/dane.pem=127.0.9.1:25" "tls:$p/tadom.pem=127.0.9.2:25"
    wait_listen t 127.0.9.2:25
    bg_in_ns "$p/oddhttps.log" "$p/oddhttps.pid" /usr/bin/python3 "$here/oddhttps.py" 3600 "$p/oddpolicy.pem" 127.0.9.81
    wait_listen t 127.0.9.81:443
    # posttls-finger (lab_protect.py's second opinion) asks the system
    # resolver: inside the namespace, ip netns exec puts this file in place
    # of /etc/resolv.conf. An empty main.cf is all it needs of a config.
    mkdir -p "/etc/netns/$(ns_of)" "$p/postfix-client"
    printf 'nameserver 127.0.53.2\noptions edns0 trust-ad\n' > "/etc/netns/$(ns_of)/resolv.conf"
    : > "$p/postfix-client/main.cf"
}

stop_protect() {
    rm -rf "/etc/netns/$(ns_of)"
    stop_pid "$dir/protect/odd.pid"
    stop_pid "$dir/protect/oddhttps.pid"
    stop_pid "$dir/nginx/run.pid"
    stop_pid "$dir/unbound/run.pid"
}
