#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Makes the lab's certificates in $1: a CA and one leaf per personality.
# Every date and name here is what the integration test asserts against.
set -euo pipefail
dir=$1
mkdir -p "$dir/newcerts"
cd "$dir"
: > index.txt
echo 1000 > serial
cat > ca.cnf <<'CNF'
[ca]
default_ca = lab
[lab]
database = index.txt
new_certs_dir = newcerts
serial = serial
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
[anything]
commonName = supplied
organizationName = optional
CNF
q() { "$@" >/dev/null 2>&1 || { echo "certs.sh: failed: $*" >&2; "$@"; exit 1; }; }
q openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 \
    -subj "/O=STS Lab/CN=STS Lab Root CA"

# leaf NAME KEYTYPE START END SANS [SIGNER]
leaf() {
    local name=$1 keytype=$2 start=$3 end=$4 sans=$5 signer=${6:-ca}
    if [ "$keytype" = ec ]; then
        q openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$name.key" \
            -out "$name.csr" -subj "/O=STS Lab/CN=${sans%%,*}"
    else
        q openssl req -newkey rsa:2048 -nodes -keyout "$name.key" -out "$name.csr" \
            -subj "/O=STS Lab/CN=${sans%%,*}"
    fi
    local san="" n
    IFS=, read -ra names <<< "$sans"
    for n in "${names[@]}"; do san="${san:+$san,}DNS:$n"; done
    printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\n' "$san" > "$name.ext"
    if [ "$signer" = self ]; then
        q openssl x509 -req -in "$name.csr" -signkey "$name.key" -days 365 -out "$name.crt" \
            -extfile "$name.ext"
    else
        q openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in "$name.csr" \
            -out "$name.crt" -startdate "$start" -enddate "$end" -extfile "$name.ext" -notext
    fi
    cat "$name.key" "$name.crt" > "$name.pem"   # postfix: key, then the chain
}
now=$(date -u +%Y%m%d%H%M%SZ)
good_end=$(date -u -d '+400 days' +%Y%m%d000000Z)
leaf good rsa "$now" "$good_end" \
    mx-good.lab.test,mx-v6.lab.test,mx-dual.lab.test,mx-tls12.lab.test,mx-tls13.lab.test,mx-plain.lab.test,smtp.lab.test,mx-authplain.lab.test,mail.lab.test,ftp.lab.test,db.lab.test,db-nossl.lab.test,xmpp.lab.test,chat.lab.test,news.lab.test,mx-tls10.lab.test,mx-rsa.lab.test,sasl.lab.test
leaf expired rsa 20200101000000Z 20210101000000Z mx-expired.lab.test
leaf self rsa "$now" "$good_end" mx-self.lab.test self
leaf wrongname rsa "$now" "$good_end" other.example.org
leaf ecdsa ec "$now" "$good_end" mx-ecdsa.lab.test

# Hostile certificates, for the odd TLS servers: names from NAME.cnf (the [req] part
# below, then its own [dn] and [ext]), an EC key, signed by the lab's CA.
req_cnf() { printf '[req]\ndistinguished_name = dn\nprompt = no\nutf8 = yes\nstring_mask = utf8only\n'; }
# cnf_leaf NAME SERIAL DAYS OUT.crt
cnf_leaf() {
    q openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" \
        -out "$1.csr" -config "$1.cnf"
    q openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -set_serial "$2" -days "$3" \
        -extfile "$1.cnf" -extensions ext -out "$4"
}
# 1. Names with ESC, bidi, commas, a formula, a space, a backslash, and (patched into the DER, which
#    breaks the signature, as a forger's would) NUL, a quote, CR, LF and DEL.
{ req_cnf; cat <<'CNF'; } > weird.cnf
[dn]
CN = evil \x1b[31mred, "quoted" =cmd|' PATCHME bidi‮right
[ext]
subjectAltName = @alt
[alt]
DNS.1 = =HYPERLINK.lab.test
DNS.2 = mx-weird.lab.test
DNS.3 = comma,name.lab.test
DNS.4 = PATCHME.lab.test
DNS.5 = two words.lab.test
DNS.6 = back\\slash.lab.test
CNF
sed -i 's/\\x1b/\x1b/' weird.cnf
cnf_leaf weird 0x7E1D 365 weird-signed.crt
/usr/bin/python3 - <<'PY'
import base64, re
pem = open("weird-signed.crt").read()
der = base64.b64decode("".join(pem.strip().splitlines()[1:-1]))
der = der.replace(b"PATCHME", b'a\x00"\r\n,\x7f')  # same length: lengths stay right
body = base64.b64encode(der).decode()
lines = [body[i:i + 64] for i in range(0, len(body), 64)]
open("weird.crt", "w").write("-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n")
PY
cat weird.key weird.crt > weird.pem

# 1b. Markup in the names, for the HTML report (issue 16), expiring in ten days so that the
#     report's certificate table lists it: it must stay text in a real browser.
{ req_cnf; cat <<'CNF'; } > htmlcert.cnf
[dn]
CN = <script>document.title='pwned'</script>
O = "><img src=x onerror="document.title='img'">
OU = </td></tr></table><h1 id=injected>x</h1>
[ext]
subjectAltName = DNS:mx-html.lab.test
CNF
cnf_leaf htmlcert 0x4854 10 htmlcert.crt
cat htmlcert.key htmlcert.crt > htmlcert.pem

# 2. A thousand names, and a chain of ten certificates (leaf and nine CAs).
issuer=ca
for i in 1 2 3 4 5 6 7 8 9; do
    q openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "int$i.key" \
        -out "int$i.csr" -subj "/O=STS Lab/CN=STS Lab Intermediate $i"
    printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' > int.ext
    q openssl x509 -req -in "int$i.csr" -CA "$issuer.pem" -CAkey "$issuer.key" -set_serial "$((0x100 + i))" \
        -days 365 -extfile int.ext -out "int$i.pem"
    issuer=int$i
done
{
    printf 'subjectAltName=DNS:mx-big.lab.test'
    for i in $(seq -w 0 999); do printf ',DNS:n%s.big.lab.test' "$i"; done
    printf '\n'
} > big.ext
q openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout big.key \
    -out big.csr -subj "/O=STS Lab/CN=mx-big.lab.test"
q openssl x509 -req -in big.csr -CA int9.pem -CAkey int9.key -set_serial 0xB16 -days 365 \
    -extfile big.ext -out big.crt
cat big.key big.crt int9.pem int8.pem int7.pem int6.pem int5.pem int4.pem int3.pem int2.pem \
    int1.pem > big.pem

# 3. Serial numbers: negative (OpenSSL prints "-1234"), and 40 octets long
#    (past the 32 that Debian's wolfSSL parses; OpenSSL takes it).
serial_leaf() { # name serial cn
    q openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" \
        -out "$1.csr" -subj "/O=STS Lab/CN=$3"
    printf 'subjectAltName=DNS:%s\nbasicConstraints=CA:FALSE\n' "$3" > "$1.ext"
    q openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -set_serial "$2" -days 365 \
        -extfile "$1.ext" -out "$1.crt"
    cat "$1.key" "$1.crt" > "$1.pem"
}
serial_leaf negserial -4660 mx-negserial.lab.test
serial_leaf longserial 0x7000000000000000000000000000000000000000000000000000000000000000000000000000AB01 \
    mx-longserial.lab.test

# 4. A 1024-bit DH group for the DHE personality that uses one.
q openssl dhparam -out dh1024.pem 1024
