#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A scripted DNS server (UDP and TCP) for answers nsd would not give.

Usage: odddns.py SECONDS ADDR
Names under odd.test:
  nul.odd.test       MX 10 "mx\\0evil.odd.test"  (cut at the NUL: mx.odd.test, which exists)
  badcname.odd.test  CNAME "evil host.odd.test" (a space inside a label)
  many.odd.test      500 MX records, the lowest preference last (needs TCP)
  tc.odd.test        TC=1 and no records, over UDP and over TCP
  servfail.odd.test  SERVFAIL;  refused.odd.test  REFUSED
  mx.odd.test, mx-first.odd.test, mxN.many.odd.test  A records (127.0.1.1, 127.0.1.5)
  txt3, txt2, two, hundred .odd.test  MX 10 mx.odd.test, and RRsets of several TXT
                     records at _mta-sts.NAME and _smtp._tls.NAME (TXT_SETS below)
Everything else: NXDOMAIN. Serves until SECONDS have passed.
"""
import socket
import struct
import sys
import threading
import time

A, CNAME, MX, TXT, AAAA = 1, 5, 15, 16, 28

# Several TXT records in one answer: a shorter record after a longer one
# once read past its buffer; records without the version tag are discarded,
# and exactly one must be left (RFC 8461 3.1, RFC 8460 3).
TXT_SETS = {
    "txt3": [b"x" * 40, b"y" * 10, b"v=STSv1; id=x; ext=" + b"z" * 40],
    "txt2": [b"v=STSv1; id=policy1", b"x=1"],
    "two": [b"v=STSv1; id=one", b"v=STSv1; id=two"],
    "hundred": [b"v=spf1 -all"] * 99 + [b"v=STSv1; id=last"],
}


def txt_rdata(text):
    return b"".join(bytes([len(text[i:i + 255])]) + text[i:i + 255] for i in range(0, max(len(text), 1), 255))


def txt_set(qname):
    """The TXT records at _mta-sts.NAME.odd.test or _smtp._tls.NAME.odd.test."""
    for prefix, version in (("_mta-sts.", None), ("_smtp._tls.", b"v=TLSRPTv1; rua=mailto:r@odd.test")):
        if qname.startswith(prefix) and qname.endswith(".odd.test"):
            recs = TXT_SETS.get(qname[len(prefix):-len(".odd.test")])
            if recs is None:
                return None
            if version:
                return [r.replace(b"v=STSv1; id=", b"v=TLSRPTv1; rua=mailto:") .replace(b"; ext=", b"@odd.test; ext=")
                        if r.startswith(b"v=STSv1") else r for r in recs]
            return recs
    return None


def name_wire(labels):
    out = b""
    for label in labels:
        out += bytes([len(label)]) + label
    return out + b"\0"


def dotted(name):
    return [l.encode() for l in name.split(".") if l]


def parse_question(msg):
    pos, labels = 12, []
    while msg[pos]:
        n = msg[pos]
        labels.append(msg[pos + 1:pos + 1 + n])
        pos += 1 + n
    qtype, = struct.unpack("!H", msg[pos + 1:pos + 3])
    return b".".join(labels).decode("latin-1").lower(), qtype, msg[12:pos + 5]


def rr(owner_wire, rtype, rdata):
    return owner_wire + struct.pack("!HHIH", rtype, 1, 60, len(rdata)) + rdata


def answers(qname, qtype):
    """(rcode, truncated_always, [records])."""
    owner = name_wire(dotted(qname))
    if qname == "servfail.odd.test":
        return 2, False, []
    if qname == "refused.odd.test":
        return 5, False, []
    if qname == "tc.odd.test":
        return 0, True, []
    if qname == "nul.odd.test" and qtype == MX:
        return 0, False, [rr(owner, MX, struct.pack("!H", 10) + name_wire([b"mx\0evil", b"odd", b"test"]))]
    if qname == "badcname.odd.test":
        return 0, False, [rr(owner, CNAME, name_wire([b"evil host", b"odd", b"test"]))]
    if qname == "many.odd.test" and qtype == MX:
        recs = [rr(owner, MX, struct.pack("!H", 100 + i) + name_wire(dotted("mx%d.many.odd.test" % i)))
                for i in range(499)]
        recs.append(rr(owner, MX, struct.pack("!H", 0) + name_wire(dotted("mx-first.odd.test"))))
        return 0, False, recs
    if qname in ("mx.odd.test", "mx-first.odd.test") or (qname.endswith(".many.odd.test") and qname.startswith("mx")):
        if qtype == A:
            addr = "127.0.1.5" if qname == "mx-first.odd.test" else "127.0.1.1"
            return 0, False, [rr(owner, A, socket.inet_aton(addr))]
        return 0, False, []
    recs = txt_set(qname)
    if recs is not None:
        return 0, False, [rr(owner, TXT, txt_rdata(r)) for r in recs] if qtype == TXT else []
    if qname[:-len(".odd.test")] in TXT_SETS and qname.endswith(".odd.test"):
        return 0, False, [rr(owner, MX, struct.pack("!H", 10) + name_wire(dotted("mx.odd.test")))] if qtype == MX else []
    if qname in ("nul.odd.test", "many.odd.test"):
        return 0, False, []
    return 3, False, []


def reply(msg, tcp):
    qname, qtype, question = parse_question(msg)
    rcode, always_tc, recs = answers(qname, qtype)
    body = b"".join(recs)
    tc = always_tc or (not tcp and 12 + len(question) + len(body) > 512)
    if tc:
        recs, body = [], b""
    flags = 0x8000 | 0x0400 | (0x0200 if tc else 0) | (msg[2] & 0x01) << 8 | rcode
    return msg[:2] + struct.pack("!HHHHH", flags, 1, len(recs), 0, 0) + question + body


def serve_udp(sock):
    while True:
        try:
            msg, peer = sock.recvfrom(4096)
            sock.sendto(reply(msg, False), peer)
        except socket.timeout:
            continue
        except (OSError, IndexError, struct.error):
            continue


def serve_tcp_conn(conn):
    try:
        while True:
            head = conn.recv(2)
            if len(head) < 2:
                return
            n, = struct.unpack("!H", head)
            msg = b""
            while len(msg) < n:
                chunk = conn.recv(n - len(msg))
                if not chunk:
                    return
                msg += chunk
            out = reply(msg, True)
            conn.sendall(struct.pack("!H", len(out)) + out)
    except (OSError, IndexError, struct.error):
        pass
    finally:
        conn.close()


def serve_tcp(sock):
    while True:
        try:
            conn, _ = sock.accept()
        except socket.timeout:
            continue
        conn.settimeout(10)
        threading.Thread(target=serve_tcp_conn, args=(conn,), daemon=True).start()


def main():
    deadline = time.time() + float(sys.argv[1])
    addr = sys.argv[2]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind((addr, 53))
    u.settimeout(0.5)
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind((addr, 53))
    t.listen(16)
    t.settimeout(0.5)
    for fn, s in ((serve_udp, u), (serve_tcp, t)):
        threading.Thread(target=fn, args=(s,), daemon=True).start()
    while time.time() < deadline:
        time.sleep(0.5)


if __name__ == "__main__":
    main()
