#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Remakes the unit tests' certificates for names and serials (committed):
# one self-signed certificate per signature algorithm OpenSSL names, and
# serial numbers that are negative, padded, and 40 octets long.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
key() { # algorithm [options]
    openssl genpkey -algorithm "$@" -out "$work/k.pem" 2>/dev/null
}
cert() { # out serial [req options]
    local out=$1 serial=$2
    shift 2
    openssl req -x509 -new -key "$work/k.pem" -subj "/CN=$out.test.example" -days 3650 \
        -set_serial "$serial" "$@" -out "$out.pem" 2>/dev/null
}
for md in sha1 sha224 sha256 sha384 sha512; do key RSA -pkeyopt rsa_keygen_bits:2048; cert "sig-rsa-$md" 1 "-$md"; done
for md in sha1 sha256 sha384 sha512; do key EC -pkeyopt ec_paramgen_curve:P-256; cert "sig-ec-$md" 1 "-$md"; done
key RSA -pkeyopt rsa_keygen_bits:2048; cert sig-rsapss-sha256 1 -sha256 -sigopt rsa_padding_mode:pss
key ED25519; cert sig-ed25519 1
key ED448; cert sig-ed448 1
key EC -pkeyopt ec_paramgen_curve:P-256
cert serial-negative -4660
cert serial-padded 0x80FF
cert serial-40 0x7000000000000000000000000000000000000000000000000000000000000000000000000000AB01
openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 -out dh2048.pem
