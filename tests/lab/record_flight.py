#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Records a server's first TLS flight (ServerHello .. ServerHelloDone) after
SMTP STARTTLS, as raw bytes: the recorded handshakes of the unit tests.

Usage (inside the lab's namespace): record_flight.py IP OUTFILE
"""
import socket
import ssl
import sys


def main():
    ip, out = sys.argv[1], sys.argv[2]
    s = socket.create_connection((ip, 25), timeout=5)
    f = s.makefile("rb")
    f.readline()
    s.sendall(b"EHLO recorder.lab.test\r\n")
    while not f.readline()[3:4] == b" ":
        pass
    s.sendall(b"STARTTLS\r\n")
    f.readline()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ssl.TLSVersion.TLSv1
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers("ALL:@SECLEVEL=0")
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(incoming, outgoing)
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    s.sendall(outgoing.read())
    flight = b""
    s.settimeout(1.0)
    try:
        while True:  # the server waits for our key exchange after its flight
            data = s.recv(65536)
            if not data:
                break
            flight += data
    except socket.timeout:
        pass
    open(out, "wb").write(flight)
    print("%d bytes" % len(flight))


if __name__ == "__main__":
    main()
