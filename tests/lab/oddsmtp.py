#!/usr/bin/python3
"""Small scripted servers (SMTP, IMAP, POP3) that misbehave in one way each.

Usage: oddsmtp.py SECONDS MODE=ADDR:PORT [MODE=ADDR:PORT ...]
Serves until SECONDS have passed, then exits by itself.
"""
import socket
import sys
import threading
import time


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
        mode, where = spec.split("=")
        addr, port = where.rsplit(":", 1)
        t = threading.Thread(target=listener, args=(mode, addr, int(port), deadline), daemon=True)
        t.start()
        threads.append(t)
    for t in threads:
        t.join()


if __name__ == "__main__":
    main()
