#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Usage: make-certs.sh DIR rsa|ecdsa N
# A root CA, one intermediate, one leaf key and N distinct leaf certificates
# (distinct serials and names), all signed by the intermediate:
#   DIR/ca.pem  DIR/key.pem  DIR/chain-0.pem .. chain-(N-1).pem (leaf, intermediate)
# Made once per DIR and kept: a second call with the same N does nothing.
set -euo pipefail
dir=$1 kind=$2 n=$3
[ -f "$dir/chain-$((n - 1)).pem" ] && [ -f "$dir/.n-$n" ] && exit 0
mkdir -p "$dir"
cd "$dir"
case $kind in
rsa) newkey() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null; } ;;
ecdsa) newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; } ;;
*) echo "make-certs.sh: rsa or ecdsa, not $kind" >&2; exit 2 ;;
esac
newkey ca.key
newkey int.key
newkey key.pem
openssl req -x509 -new -key ca.key -days 3650 -subj "/CN=starttls-scan bench root" \
    -addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out ca.pem 2>/dev/null
openssl req -new -key int.key -subj "/CN=starttls-scan bench intermediate" -out int.csr 2>/dev/null
printf 'basicConstraints=critical,CA:true,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' > int.ext
openssl x509 -req -in int.csr -CA ca.pem -CAkey ca.key -set_serial 2 -days 3000 \
    -extfile int.ext -out int.pem 2>/dev/null
openssl req -new -key key.pem -subj "/CN=bench.invalid" -out leaf.csr 2>/dev/null
for ((i = 0; i < n; i++)); do
    printf 'subjectAltName=DNS:mx%d.bench.invalid\nextendedKeyUsage=serverAuth\n' "$i" > leaf.ext
    openssl x509 -req -in leaf.csr -CA int.pem -CAkey int.key -set_serial $((1000 + i)) \
        -days $((365 + i % 300)) -extfile leaf.ext -out leaf.pem 2>/dev/null
    cat leaf.pem int.pem > "chain-$i.pem"
done
rm -f leaf.pem leaf.csr leaf.ext int.csr int.ext .n-*
touch ".n-$n"
