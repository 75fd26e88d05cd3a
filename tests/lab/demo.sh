#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The demo lab, for make demo, demo-up, demo-shell and demo-down:
#
#   demo.sh run BINARY [OUT]    start the lab, scan the demo domains, show a table, stop it
#   demo.sh up BINARY DIR       start the lab in DIR and leave it running; copy its CA to
#                               ./lab-ca.pem (where the README's tour expects it)
#   demo.sh shell BINARY DIR    a shell inside the lab's namespace, BINARY's directory first
#                               on PATH, here; commands on stdin when it is not a terminal
#   demo.sh down BINARY DIR     stop every server of the lab by its pid, delete the namespace
#
# The lab needs root; as another user this says why and asks sudo.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mode=${1:?usage: demo.sh run|up|shell|down BINARY [DIR]}
bin=$(realpath "${2:?usage: demo.sh run|up|shell|down BINARY [DIR]}")
if [ "$(id -u)" -ne 0 ]; then
    target="make demo"; [ "$mode" = run ] || target="make demo-$mode"
    echo "$target: the demo lab needs root: it runs real servers (nsd on port 53," >&2
    echo "unbound, postfix, dovecot, vsftpd, nginx) in a network namespace of its own (ip netns add), so that" >&2
    echo "nothing reaches or leaves this machine's network, and only root may create one." >&2
    if command -v sudo >/dev/null; then
        echo "Asking sudo." >&2
        exec sudo "$0" "$@"
    fi
    echo "sudo is not installed: run this as root." >&2
    exit 1
fi
# Files made here belong to the user who asked sudo.
give_back() { [ -n "${SUDO_UID:-}" ] && chown "$SUDO_UID:${SUDO_GID:-$SUDO_UID}" "$@" 2>/dev/null || true; }
scan_cmd="starttls-scan --resolver 127.0.53.2 --allow-private --ca-file lab-ca.pem --retry-delay 3"

table() {
    /usr/bin/python3 - "$1" <<'PY'
import csv, sys
cols = ["domain", "mx_host", "ip", "status", "tls_version", "cipher", "handshake", "cert_days_left",
        "chain_valid", "dane", "mta_sts", "mta_sts_ok"]
rows = sorted(csv.DictReader(open(sys.argv[1], newline="")), key=lambda r: (r["domain"], r["mx_host"], r["ip"]))
width = {c: max(len(c), *(len(r[c][:48]) for r in rows)) for c in cols}
print("  ".join(c.ljust(width[c]) for c in cols))
for r in rows:
    print("  ".join(r[c][:48].ljust(width[c]) for c in cols).rstrip())
PY
}

case $mode in
run)
    out=${3:-demo.csv}
    report=${out%.csv}.html
    lab=$(mktemp -d /tmp/sts-demo.XXXXXX)
    trap 'bash "$here/lab.sh" down "$lab"; rm -rf "$lab" lab-ca.pem' EXIT
    echo "Starting the demo lab (nsd, unbound, postfix, dovecot, vsftpd, nginx in a network namespace)..."
    bash "$here/lab.sh" up "$lab"
    cp "$lab/certs/ca.pem" lab-ca.pem
    echo
    # The lab lives on loopback addresses, which a real scan refuses: --allow-private.
    echo "\$ $scan_cmd --overwrite tests/lab/demo-domains.txt -o $out --report $report"
    bash "$here/lab.sh" exec "$lab" env PATH="$(dirname "$bin"):$PATH" \
        $scan_cmd --overwrite "$here/demo-domains.txt" -o "$out" --report "$report"
    give_back "$out" "$report"
    echo
    table "$out"
    echo
    echo "The full CSV ($(head -1 "$out" | tr ',' '\n' | wc -l) columns) is in $out; the report, a page"
    echo "to open in any browser, in $report."
    echo "To try the README's tour by hand: make demo-up, make demo-shell, make demo-down."
    ;;
up)
    dir=${3:?usage: demo.sh up BINARY DIR}
    if [ -f "$dir/netns" ]; then
        echo "The demo lab is already up ($dir); make demo-down stops it." >&2
        exit 1
    fi
    bash "$here/lab.sh" up "$dir" || { bash "$here/lab.sh" down "$dir"; exit 1; }
    cp "$dir/certs/ca.pem" lab-ca.pem
    give_back lab-ca.pem
    echo "The demo lab is up: DNS on 127.0.53.1 (nsd) and 127.0.53.2 (unbound, validating), mail servers"
    echo "on 127.0.x.y, in the namespace $(cat "$dir/netns")."
    echo "Its CA is in lab-ca.pem. make demo-shell opens a shell inside it; make demo-down stops it."
    echo "Its scripted servers stop by themselves after an hour."
    ;;
shell)
    dir=${3:?usage: demo.sh shell BINARY DIR}
    if [ ! -f "$dir/netns" ]; then
        echo "The demo lab is not up: make demo-up first." >&2
        exit 1
    fi
    in_lab=(ip netns exec "$(cat "$dir/netns")" env PATH="$(dirname "$bin"):$PATH")
    if [ ! -t 0 ]; then
        exec "${in_lab[@]}" bash -s
    fi
    printf 'PS1="(demo lab) \\$ "\n' > "$dir/bashrc"
    echo "A shell inside the demo lab (build/ on PATH); exit leaves it."
    exec "${in_lab[@]}" bash --rcfile "$dir/bashrc" -i
    ;;
down)
    dir=${3:?usage: demo.sh down BINARY DIR}
    bash "$here/lab.sh" down "$dir"
    rm -rf "$dir"
    rm -f lab-ca.pem
    echo "The demo lab is down."
    ;;
*)
    echo "usage: demo.sh run|up|shell|down BINARY [DIR]" >&2
    exit 2
    ;;
esac
