#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make demo: scans the demo domains against the lab and shows the results.
set -euo pipefail
[ "$(id -u)" -eq 0 ] || exec sudo "$0" "$@"
here=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "${1:?usage: demo.sh BINARY}")
out=${2:-demo.csv}
lab=$(mktemp -d /tmp/sts-demo.XXXXXX)
trap 'bash "$here/lab.sh" down "$lab"; rm -rf "$lab"' EXIT
echo "Starting the demo lab (nsd + postfix in a network namespace)..."
bash "$here/lab.sh" up "$lab"
echo
echo "\$ starttls-scan --resolver 127.0.53.1 --allow-private --ca-file lab-ca.pem --retry-delay 3 demo-domains.txt -o $out"
# The lab lives on loopback addresses, which a real scan refuses: --allow-private.
bash "$here/lab.sh" exec "$lab" "$bin" --resolver 127.0.53.1 --allow-private \
    --ca-file "$lab/certs/ca.pem" --banner-timeout 3 --timeout 8 --retry-delay 3 --overwrite \
    "$here/demo-domains.txt" -o "$out"
echo
/usr/bin/python3 - "$out" <<'PY'
import csv, sys
cols = ["domain", "mx_host", "ip", "status", "tls_version", "cipher", "handshake", "cert_days_left",
        "chain_valid", "hostname_match", "error"]
rows = sorted(csv.DictReader(open(sys.argv[1], newline="")), key=lambda r: (r["domain"], r["mx_host"], r["ip"]))
width = {c: max(len(c), *(len(r[c][:48]) for r in rows)) for c in cols}
print("  ".join(c.ljust(width[c]) for c in cols))
for r in rows:
    print("  ".join(r[c][:48].ljust(width[c]) for c in cols))
PY
echo
echo "The full CSV ($(head -1 "$out" | tr ',' '\n' | wc -l) columns) is in $out."
