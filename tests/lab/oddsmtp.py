#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Small scripted servers (SMTP, IMAP, POP3) that misbehave in one way each.

Usage: oddsmtp.py SECONDS MODE=ADDR:PORT [MODE=ADDR:PORT ...]
Serves until SECONDS have passed, then exits by itself.
"""
import os
import socket
import ssl
import struct
import sys
import threading
import time

LOCK = threading.Lock()
SEEN = {}
LAST = {}
ACTIVE = [0]
IDS = [0]
EVENTS = os.environ.get("ODD_EVENTS", "/dev/null")


def event(what, cid):
    """counter mode: one line per open and close (time, what, open now, connection id)."""
    with LOCK:
        ACTIVE[0] += 1 if what == "open" else -1
        with open(EVENTS, "a") as f:
            f.write("%.4f %s %d %d\n" % (time.time(), what, ACTIVE[0], cid))


def smtp_until_starttls(conn, banner=b"220 odd ESMTP\r\n", advertise=True):
    conn.sendall(banner)
    for line in lines(conn):
        verb = line.split(" ")[0].upper()
        if verb == "EHLO":
            conn.sendall(b"250-odd\r\n250 STARTTLS\r\n" if advertise else b"250-odd\r\n250 8BITMIME\r\n")
        elif verb == "STARTTLS":
            conn.sendall(b"220 go ahead\r\n")
            return True
        else:
            conn.sendall(b"221 bye\r\n")
            return False
    return False


def commands(conn):
    """Each line from the client, with its words and its verb in upper case."""
    for line in lines(conn):
        words = line.split()
        yield line, words, words[0].upper() if words else ""


def tls_with_mode_cert(conn, mode):
    """The server side of TLS with the chain of the file the mode names ("tls:FILE")."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(mode.split(":", 1)[1])
    return ctx.wrap_socket(conn, server_side=True)


def serve_hostile(mode, conn):
    if mode == "trickle":  # a greeting that never ends, one byte a second
        conn.sendall(b"220-")
        while True:
            time.sleep(1)
            conn.sendall(b"x")
    elif mode == "flood":  # megabytes without a newline
        conn.sendall(b"220 ")
        chunk = b"A" * 65536
        for _ in range(128):
            conn.sendall(chunk)
    elif mode == "endless":  # continuation lines forever
        while True:
            conn.sendall(b"220-still greeting you\r\n" * 64)
    elif mode == "garbage":  # random bytes instead of a ServerHello
        if smtp_until_starttls(conn):
            conn.recv(65536)
            # No record type is 0x88: the client can tell at once. (Random
            # bytes that happen to look like a long record's header would
            # make it wait for the rest instead.)
            conn.sendall(b"\x88" + os.urandom(2047))
            time.sleep(2)
    elif mode == "reset":  # a TCP reset in the middle of the handshake
        if smtp_until_starttls(conn):
            conn.recv(65536)
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    elif mode == "weird":  # a greeting with every byte a spreadsheet should not see raw
        banner = (b"220 evil\x00nul \x1b[31mred\x1b[0m \xff\xfe bidi\xe2\x80\xaeright, comma "
                  b"\"quote\" =cmd|'/C calc'!A0 cr\rhere\r\n")
        conn.sendall(banner)
        for line in lines(conn):
            if line.upper().startswith("EHLO"):
                conn.sendall(b"250 odd\r\n")
            else:
                conn.sendall(b"221 bye\r\n")
                return
    elif mode.startswith("grey:") or mode.startswith("tarpit:"):
        # A client is told to come back later (421, or no greeting at all: a
        # tarpit) unless it came within the last 15 s; then it gets STARTTLS.
        with LOCK:
            SEEN[mode] = SEEN.get(mode, 0) + 1
            first = time.time() - LAST.get(mode, 0) > 15
            LAST[mode] = time.time()
        with open(EVENTS, "a") as f:
            f.write("%.4f %s %d\n" % (time.time(), mode.split(":")[0], SEEN[mode]))
        if first and mode.startswith("grey:"):
            conn.sendall(b"421 4.7.0 Greylisted, try again later\r\n")
            return
        if first:
            time.sleep(8)
            return
        if smtp_until_starttls(conn):
            tls = tls_with_mode_cert(conn, mode)
            for line in lines(tls):
                tls.sendall(b"250 odd\r\n" if line.upper().startswith("EHLO") else b"221 bye\r\n")
                if not line.upper().startswith("EHLO"):
                    return
    elif mode.startswith("echo-auth:"):
        # Offers AUTH inside TLS, and echoes whatever credentials come back,
        # decoded too: check must redact them in every line it prints.
        if smtp_until_starttls(conn):
            import base64
            tls = tls_with_mode_cert(conn, mode)
            def dec(b):
                try:
                    return base64.b64decode(b).replace(b"\0", b"|")
                except Exception:
                    return b"?"
            for line, words, verb in commands(tls):
                if verb == "EHLO":
                    tls.sendall(b"250-odd\r\n250 AUTH PLAIN LOGIN\r\n")
                elif verb == "AUTH" and len(words) > 2:
                    # The blob split across two lines of the reply (issue 23, D16).
                    blob = words[2].encode()
                    half = len(blob) // 2
                    tls.sendall(b"535-5.7.8 no: " + blob[:half] + b"\r\n535 5.7.8 " + blob[half:] + b" means " +
                                dec(words[2]) + b"\r\n")
                elif verb == "AUTH":
                    tls.sendall(b"334 VXNlcm5hbWU6\r\n")
                elif verb == "QUIT":
                    tls.sendall(b"221 bye\r\n")
                    return
                else:  # a LOGIN step: echo it, split across two lines
                    half = len(line) // 2
                    tls.sendall(b"334-got " + line[:half].encode() + b"\r\n334 " + line[half:].encode() + b" = " +
                                dec(line) + b"\r\n")
    elif mode.startswith("scram-liar:") or mode.startswith("scram-mute:"):
        scram_server(mode, conn)
    elif mode.startswith("tls:") or mode.startswith("quiet-tls:"):
        # STARTTLS with the certificate chain in this file; quiet-tls does not
        # advertise it, yet accepts it.
        if smtp_until_starttls(conn, advertise=mode.startswith("tls:")):
            tls = tls_with_mode_cert(conn, mode)
            for line in lines(tls):
                if line.upper().startswith("EHLO"):
                    tls.sendall(b"250 odd\r\n")
                else:
                    tls.sendall(b"221 bye\r\n")
                    return
    elif mode == "counter":  # a slow greeting, and a log of connections
        with LOCK:
            IDS[0] += 1
            cid = IDS[0]
        event("open", cid)
        try:
            time.sleep(0.3)
            conn.sendall(b"220 counter ESMTP\r\n")
            for line in lines(conn):
                if line.upper().startswith("EHLO"):
                    conn.sendall(b"250 counter\r\n")
                else:
                    conn.sendall(b"221 bye\r\n")
                    return
        finally:
            event("close", cid)


def scram_server(mode, conn):
    """SCRAM-SHA-256 from a server that does not know the password: it takes
    any proof, then proves nothing (scram-liar: a made-up v=; scram-mute:
    235 at once, no v= at all). check must refuse both (RFC 5802 3)."""
    import base64
    if not smtp_until_starttls(conn):
        return
    tls = tls_with_mode_cert(conn, mode)
    step = 0
    for line, words, verb in commands(tls):
        if verb == "EHLO":
            tls.sendall(b"250-odd\r\n250 AUTH SCRAM-SHA-256 SCRAM-SHA-1\r\n")
        elif verb == "AUTH" and len(words) > 2:
            first = base64.b64decode(words[2]).decode()
            nonce = first.split("r=", 1)[1]
            server_first = "r=%sodd-server-nonce,s=%s,i=4096" % (nonce, base64.b64encode(b"salt-salt").decode())
            tls.sendall(b"334 " + base64.b64encode(server_first.encode()) + b"\r\n")
            step = 1
        elif verb == "QUIT":
            tls.sendall(b"221 bye\r\n")
            return
        elif step == 1 and mode.startswith("scram-liar:"):
            tls.sendall(b"334 " + base64.b64encode(b"v=" + base64.b64encode(b"x" * 32)) + b"\r\n")
            step = 2
        elif step >= 1:
            tls.sendall(b"235 2.7.0 Authentication successful\r\n")
            step = 3
        else:
            tls.sendall(b"502 5.5.2 unknown\r\n")


HOSTILE = ("trickle", "flood", "endless", "garbage", "reset", "weird", "counter")




def lines(conn):
    buf = b""
    while True:
        data = conn.recv(4096)
        if not data:
            return
        buf += data
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            yield line.rstrip(b"\r").decode("latin-1")


def serve_imap(mode, conn):
    send = conn.sendall
    if mode == "imap-preauth":
        send(b"* PREAUTH [CAPABILITY IMAP4rev1] logged in as nobody\r\n")
    elif mode == "imap-bye":
        send(b"* BYE Too many connections from your address\r\n")
        return
    else:
        send(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] odd IMAP ready\r\n")
    for line in lines(conn):
        tag, _, cmd = line.partition(" ")
        cmd = cmd.upper()
        if cmd == "CAPABILITY":
            send(b"* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN\r\n%s OK done\r\n" % tag.encode())
        elif cmd == "STARTTLS":
            send(b"%s NO [UNAVAILABLE] TLS is switched off\r\n" % tag.encode())
        elif cmd == "LOGOUT":
            send(b"* BYE bye\r\n%s OK LOGOUT done\r\n" % tag.encode())
            return
        else:
            send(b"%s BAD unknown\r\n" % tag.encode())


def serve_pop3(mode, conn):
    send = conn.sendall
    send(b"+OK odd POP3 ready\r\n")
    for line in lines(conn):
        cmd = line.upper()
        if cmd == "CAPA":
            send(b"+OK\r\nUSER\r\nSASL PLAIN\r\nSTLS\r\n.\r\n")
        elif cmd == "STLS":
            send(b"-ERR TLS not available right now\r\n")
        elif cmd == "QUIT":
            send(b"+OK bye\r\n")
            return
        else:
            send(b"-ERR unknown\r\n")


def serve(mode, conn):
    if mode in HOSTILE or mode.split(":")[0] in ("tls", "quiet-tls", "grey", "tarpit", "echo-auth", "scram-liar",
                                                 "scram-mute"):
        return serve_hostile(mode, conn)
    if mode.startswith("imap-"):
        return serve_imap(mode, conn)
    if mode.startswith("pop3-"):
        return serve_pop3(mode, conn)
    send = conn.sendall
    if mode == "silent":
        time.sleep(60)
        return
    if mode == "multiline":
        send(b"220-mx-multiline.lab.test first line\r\n220-second line\r\n220 ESMTP ready\r\n")
    else:
        send(b"220 mx-%s.lab.test ESMTP odd\r\n" % mode.encode())
    for line in lines(conn):
        verb = line.split(" ")[0].upper()
        if verb == "QUIT":
            send(b"221 bye\r\n")
            return
        if mode == "421" and verb == "EHLO":
            send(b"421 4.7.0 Too many connections, try again later\r\n")
            return
        if mode == "helo" and verb == "EHLO":
            send(b"502 5.5.2 Error: command not recognized\r\n")
        elif mode == "hangup" and verb == "EHLO":
            return
        elif verb in ("EHLO", "HELO"):
            ext = b"250-mx\r\n250-PIPELINING\r\n250-starttls\r\n250 8BITMIME\r\n"
            send(ext if verb == "EHLO" else b"250 mx\r\n")
        elif verb == "STARTTLS" and mode == "454":
            send(b"454 4.7.0 TLS not available due to local problem\r\n")
        elif verb == "STARTTLS" and mode == "454pipe":  # a '|' and an escape for a plugin's status line
            send(b"454 4.7.0 TLS not | available \x1b[31mred\r\n")
        elif verb == "STARTTLS" and mode == "inject":
            send(b"220 2.0.0 Ready to start TLS\r\n250-INJECTED-EVIL\r\n")
            time.sleep(2)
            return
        else:
            send(b"454 4.7.0 TLS not available\r\n" if verb == "STARTTLS" else b"502 5.5.2 unknown\r\n")


def listener(mode, addr, port, deadline):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(64)
    s.settimeout(0.5)
    while time.time() < deadline:
        try:
            conn, _ = s.accept()
        except socket.timeout:
            continue
        conn.settimeout(30)

        def run(c=conn):
            try:
                serve(mode, c)
            except OSError:
                pass
            finally:
                c.close()

        threading.Thread(target=run, daemon=True).start()


def main():
    deadline = time.time() + float(sys.argv[1])
    threads = []
    for spec in sys.argv[2:]:
        mode, where = spec.rsplit("=", 1)
        addr, port = where.rsplit(":", 1)
        t = threading.Thread(target=listener, args=(mode, addr, int(port), deadline), daemon=True)
        t.start()
        threads.append(t)
    for t in threads:
        t.join()


if __name__ == "__main__":
    main()
