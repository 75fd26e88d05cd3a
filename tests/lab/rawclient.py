#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""An independent client for lab_research.py's --raw test: it speaks each
protocol up to and inside STARTTLS with Python's own socket and ssl, and
prints, as JSON, the replies the scanner's raw_* columns must hold.
Usage (inside the lab's namespace): rawclient.py CA_FILE PROTOCOL"""
import json
import sys


class Talk:
    """An independent client: lines over a socket, then over TLS (Python's own ssl)."""

    def __init__(self, ip, port):
        import socket
        self.sock = socket.create_connection((ip, port), timeout=10)
        self.buf = b""

    def line(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r").decode("utf-8", "replace")

    def until(self, done):
        lines = []
        while True:
            lines.append(self.line())
            if done(lines[-1]):
                return lines

    def send(self, text):
        self.sock.sendall(text.encode() + b"\r\n")

    def tls(self):
        import ssl
        ctx = ssl.create_default_context(cafile=sys.argv[1])
        ctx.check_hostname = False
        self.sock = ctx.wrap_socket(self.sock)
        self.buf = b""


def smtp_ends(line):
    return len(line) >= 4 and line[3] == " "


# protocol: (target, address, port, [(command or None, end-of-reply test, which raw column or None), ...])
DIALOGS = {
    "smtp": ("good.lab.test", "127.0.1.1", 25,
             [(None, smtp_ends, None), ("EHLO scanner.lab.test", smtp_ends, "raw_capabilities"),
              ("STARTTLS", smtp_ends, "raw_starttls"), ("TLS", None, None),
              ("EHLO scanner.lab.test", smtp_ends, "raw_capabilities_tls")]),
    "imap": ("mail.lab.test", "127.0.4.1", 143,
             [(None, lambda l: True, None), ("A1 CAPABILITY", lambda l: l.startswith("A1 "), "raw_capabilities"),
              ("A2 STARTTLS", lambda l: l.startswith("A2 "), "raw_starttls"), ("TLS", None, None),
              ("A3 CAPABILITY", lambda l: l.startswith("A3 "), "raw_capabilities_tls")]),
    "pop3": ("mail.lab.test", "127.0.4.1", 110,
             [(None, lambda l: True, None), ("CAPA", lambda l: l == ".", "raw_capabilities"),
              ("STLS", lambda l: True, "raw_starttls"), ("TLS", None, None),
              ("CAPA", lambda l: l == ".", "raw_capabilities_tls")]),
    "sieve": ("mail.lab.test", "127.0.4.1", 4190,
              [(None, lambda l: l.startswith("OK"), "raw_capabilities"),
               ("STARTTLS", lambda l: l.startswith("OK"), "raw_starttls"), ("TLS", None, None),
               ("", lambda l: l.startswith("OK"), "raw_capabilities_tls")]),
    "nntp": ("news.lab.test", "127.0.12.1", 119,
             [(None, lambda l: True, None), ("CAPABILITIES", lambda l: l == ".", "raw_capabilities"),
              ("STARTTLS", lambda l: True, "raw_starttls"), ("TLS", None, None),
              ("CAPABILITIES", lambda l: l == ".", "raw_capabilities_tls")]),
    "ftp": ("ftp.lab.test", "127.0.5.1", 21,
            [(None, smtp_ends, None), ("FEAT", smtp_ends, "raw_capabilities"),
             ("AUTH TLS", smtp_ends, "raw_starttls")]),
}


def independent(address, port, steps):
    """What each step's reply was, as the independent client read it (empty lines left out)."""
    talk, got = Talk(address, port), {}
    for command, done, column in steps:
        if command == "TLS":
            talk.tls()
            continue
        if command:  # sieve's capabilities inside TLS come unasked: command ""
            talk.send(command)
        lines = talk.until(done)
        if column:
            got[column] = [l for l in lines if l]
    talk.sock.close()
    return got



if __name__ == "__main__":
    target, address, port, steps = DIALOGS[sys.argv[2]]
    print(json.dumps(independent(address, port, steps)))
