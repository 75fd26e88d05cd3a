#!/usr/bin/env bash
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
    mx-good.lab.test,mx-v6.lab.test,mx-dual.lab.test,mx-tls12.lab.test,mx-tls13.lab.test,mx-plain.lab.test,smtp.lab.test,mx-authplain.lab.test,mail.lab.test,ftp.lab.test,mx-tls10.lab.test,mx-rsa.lab.test
leaf expired rsa 20200101000000Z 20210101000000Z mx-expired.lab.test
leaf self rsa "$now" "$good_end" mx-self.lab.test self
leaf wrongname rsa "$now" "$good_end" other.example.org
leaf ecdsa ec "$now" "$good_end" mx-ecdsa.lab.test
