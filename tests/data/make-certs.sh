#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Remakes the unit tests' certificates (committed; fixed dates and serials).
# The expected facts in tests/unit/test_certfacts.c follow from this file.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/ca.cnf" <<CNF
[ca]
default_ca = t
[t]
database = $work/index.txt
new_certs_dir = $work
serial = $work/serial
default_md = sha256
policy = p
unique_subject = no
[p]
commonName = supplied
organizationName = optional
CNF
: > "$work/index.txt"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 7300 \
    -subj "/O=STS Test/CN=STS Test Root CA" 2>/dev/null
leaf() { # name serial keyopts cn ext
    echo "$2" > "$work/serial"
    openssl req -newkey $3 -nodes -keyout "$1.key" -out "$work/$1.csr" -subj "/O=STS Test/CN=$4" 2>/dev/null
    printf '%b' "$5" > "$work/$1.ext"
    openssl ca -batch -config "$work/ca.cnf" -cert ca.pem -keyfile ca.key -in "$work/$1.csr" \
        -out "$1.pem" -startdate 20250101000000Z -enddate 20350101000000Z -extfile "$work/$1.ext" \
        -notext 2>/dev/null
}
leaf leaf-rsa 1234AB rsa:2048 mx.test.example \
    'subjectAltName=DNS:mx.test.example,DNS:*.wild.test.example,IP:192.0.2.1\n'
leaf leaf-ec 0FEDC1 'ec -pkeyopt ec_paramgen_curve:P-256' ec.test.example \
    'subjectAltName=DNS:ec.test.example\n'
leaf leaf-nosan 0A0B0C rsa:2048 cn-only.test.example 'basicConstraints=CA:FALSE\n'
# An intermediate CA and a leaf under it (the chain verifier's tests).
echo 5A5A01 > "$work/serial"
openssl req -newkey rsa:2048 -nodes -keyout int-ca.key -out "$work/int.csr" \
    -subj "/O=STS Test/CN=STS Test Intermediate" 2>/dev/null
printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' > "$work/int.ext"
openssl ca -batch -config "$work/ca.cnf" -cert ca.pem -keyfile ca.key -in "$work/int.csr" \
    -out int-ca.pem -startdate 20250101000000Z -enddate 20350101000000Z -extfile "$work/int.ext" \
    -notext 2>/dev/null
leaf_under_int() {
    echo 5A5A02 > "$work/serial"
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf-int.key \
        -out "$work/leaf-int.csr" -subj "/O=STS Test/CN=int.test.example" 2>/dev/null
    printf 'subjectAltName=DNS:int.test.example\n' > "$work/leaf-int.ext"
    openssl ca -batch -config "$work/ca.cnf" -cert int-ca.pem -keyfile int-ca.key \
        -in "$work/leaf-int.csr" -out leaf-int.pem -startdate 20250101000000Z \
        -enddate 20350101000000Z -extfile "$work/leaf-int.ext" -notext 2>/dev/null
}
leaf_under_int
# A leaf for clients only (extendedKeyUsage=clientAuth): not a server's.
echo 5A5A03 > "$work/serial"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf-clientauth.key \
    -out "$work/c.csr" -subj "/O=STS Test/CN=client.test.example" 2>/dev/null
printf 'subjectAltName=DNS:client.test.example\nextendedKeyUsage=clientAuth\n' > "$work/c.ext"
openssl ca -batch -config "$work/ca.cnf" -cert ca.pem -keyfile ca.key -in "$work/c.csr" \
    -out leaf-clientauth.pem -startdate 20250101000000Z -enddate 20350101000000Z \
    -extfile "$work/c.ext" -notext 2>/dev/null
