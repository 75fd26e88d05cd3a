# SPDX-License-Identifier: GPL-2.0-or-later
"""Certificates of every size (issue 23, B3): leaves of exactly 2,047,
2,048, 4,096 and 16,384 octets, and an intermediate over 2 KiB, served by
openssl s_server (another TLS stack than the lab's postfix) in TLS 1.2 and
TLS 1.3. wolfSSL's own session chain drops a certificate of 2,048 octets or
more; the scanner must read every one whole, with either wolfSSL build."""
import hashlib
import os
import subprocess
import time

from labkit import *  # noqa: F401,F403  the shared helpers and BIN, LAB, NS, CA

HOST = "mx-good.lab.test"  # 127.0.1.1: postfix is on 25, these servers on 44xx
SIZES = (2047, 2048, 4096, 16384)
PAD_OID = "1.3.6.1.4.1.55555.1"


def openssl(*args, **kw):
    return subprocess.run(["openssl", *args], capture_output=True, check=True, **kw)


def der_of(pem):
    return openssl("x509", "-in", pem, "-outform", "der").stdout


def issue(d, name, issuer, size=None, ca=False, pad=0):
    """A certificate for HOST (or a CA) signed by issuer (a name in d, or the
    lab's CA), padded by an extension of pad octets; with size, pad is
    searched until the DER is exactly size octets long."""
    key, csr, ext, crt = (os.path.join(d, name + s) for s in (".key", ".csr", ".ext", ".crt"))
    if not os.path.exists(key):
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key)
    openssl("req", "-new", "-key", key, "-out", csr, "-subj", "/O=STS Lab/CN=%s" % (name if ca else HOST))
    ik, ic = ((os.path.join(LAB, "certs", "ca.key"), CA) if issuer is None else
              (os.path.join(d, issuer + ".key"), os.path.join(d, issuer + ".crt")))
    for _ in range(8):
        with open(ext, "w") as f:
            if ca:
                f.write("basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n")
            else:
                f.write("subjectAltName=DNS:%s\nbasicConstraints=CA:FALSE\n" % HOST)
            if pad:
                f.write("%s=ASN1:UTF8String:%s\n" % (PAD_OID, "p" * pad))
        openssl("x509", "-req", "-in", csr, "-CA", ic, "-CAkey", ik, "-set_serial", str(size or 77),
                "-days", "365", "-extfile", ext, "-out", crt)
        got = len(der_of(crt))
        if size is None or got == size:
            return crt, key
        pad = max(1, pad + size - got)
    raise RuntimeError("no padding gives %d octets for %s" % (size, name))


def serve(d, crt, key, chain, port, version):
    log = os.path.join(d, "s_server-%d.log" % port)
    args = ["openssl", "s_server", "-quiet", "-accept", "127.0.1.1:%d" % port, "-cert", crt, "-key", key,
            "-" + version, "-naccept", "10"]
    if chain:
        args += ["-cert_chain", chain]
    p = subprocess.Popen(["ip", "netns", "exec", NS, "timeout", "120", *args], stdin=subprocess.DEVNULL,
                         stdout=open(log, "w"), stderr=subprocess.STDOUT)
    return p


def test_certificates_of_every_size():
    import tempfile
    d = tempfile.mkdtemp(prefix="sts-certsize-")
    leaves = {size: issue(d, "leaf%d" % size, None, size=size) for size in SIZES}
    # An intermediate of about 3 KiB, and a 2,047-octet leaf under it.
    icrt, _ = issue(d, "bigint", None, ca=True, pad=2600)
    leaves["int"] = issue(d, "leafint", "bigint", size=2047)
    for size in SIZES:
        check(len(der_of(leaves[size][0])) == size, "the leaf is %d octets" % size)
    check(len(der_of(icrt)) > 2048, "the intermediate is over 2 KiB: %d" % len(der_of(icrt)))
    servers, targets = [], {}
    try:
        for n, (what, (crt, key)) in enumerate(sorted(leaves.items(), key=lambda x: str(x[0]))):
            for version, base in (("tls1_2", 4410), ("tls1_3", 4420)):
                port = base + n
                servers.append(serve(d, crt, key, icrt if what == "int" else None, port, version))
                targets["%s:%d" % (HOST, port)] = (what, version, crt)
        time.sleep(1.5)
        binaries = [BIN] + ([os.environ["STS_LAB_OTHER_BINARY"]] if os.environ.get("STS_LAB_OTHER_BINARY") else [])
        for binary in binaries:
            rows, err, _, rc = scan(sorted(targets), "--allow-private", "--no-mx", "-p", "tls", "--no-dane",
                                    binary=binary)
            by = {"%s:%s" % (r["mx_host"], r["port"]): r for r in rows}
            for target, (what, version, crt) in sorted(targets.items()):
                r = by.get(target, {})
                want = hashlib.sha256(der_of(crt)).hexdigest()
                tls = "TLSv1.2" if version == "tls1_2" else "TLSv1.3"
                check(r.get("status") == "ok" and r.get("tls_version") == tls and r.get("handshake") == "full"
                      and r.get("cert_sha256") == want and r.get("chain_valid") == "yes"
                      and r.get("hostname_match") == "yes" and r.get("cert_days_left") not in ("", None),
                      "%s, leaf %s, %s: read whole: %r" % (os.path.basename(binary), what, tls,
                                                           {k: r.get(k) for k in ("status", "tls_version",
                                                            "handshake", "chain_valid", "chain_error",
                                                            "hostname_match", "cert_days_left", "error")}))
        # check shows the chain as sent: the leaf and the big intermediate.
        p = in_ns(BIN, "check", "%s:%d" % (HOST, 4410 + sorted(map(str, leaves)).index("int")), "-p", "tls",
                  "--resolver", "127.0.53.1", "--ca-file", CA, "--no-dane", timeout=60)
        out = p.stdout.decode(errors="replace")
        check("certificate chain as sent (2)" in out and "-- chain: valid" in out,
              "check: the chain as sent, both certificates: %s" % out[-600:])
    finally:
        for s in servers:
            s.terminate()
        for s in servers:
            try:
                s.wait(timeout=5)
            except subprocess.TimeoutExpired:
                s.kill()
        subprocess.run(["rm", "-rf", d])
