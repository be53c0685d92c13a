#!/usr/bin/python3
"""Long-lived TCP connections for the connection-tracking tests.

  tcpflows.py echo PORT                     echo every connection's bytes back, until killed
  tcpflows.py talk HOST PORT N SECONDS OUT  N connections, each sending a numbered line
                                            every 20 ms and waiting for its echo (1 s at
                                            most); writes a JSON summary to OUT
  tcpflows.py connect HOST PORT             one new connection: prints passed or blocked
"""
import json
import selectors
import socket
import sys
import time


def echo(port):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("0.0.0.0", port))
    srv.listen(64)
    sel = selectors.DefaultSelector()
    sel.register(srv, selectors.EVENT_READ)
    print("ready", flush=True)
    while True:
        for key, _ in sel.select():
            s = key.fileobj
            if s is srv:
                c, _ = srv.accept()
                sel.register(c, selectors.EVENT_READ)
                continue
            try:
                data = s.recv(65536)
            except OSError:
                data = b""
            if not data:
                sel.unregister(s)
                s.close()
                continue
            s.sendall(data)


def talk(host, port, n, seconds, out):
    conns = []
    for _ in range(n):
        c = socket.create_connection((host, port), timeout=2)
        c.settimeout(1.0)
        conns.append(c)
    print("connected", flush=True)
    sent = echoed = 0
    errors = []
    worst = 0.0
    end = time.monotonic() + seconds
    seq = 0
    while time.monotonic() < end and not errors:
        for i, c in enumerate(conns):
            line = f"{i} {seq}\n".encode()
            t0 = time.monotonic()
            try:
                c.sendall(line)
                sent += 1
                got = b""
                while not got.endswith(b"\n"):
                    chunk = c.recv(len(line) - len(got))
                    if not chunk:
                        raise OSError("connection closed")
                    got += chunk
                if got != line:
                    raise OSError(f"echo {got!r} for {line!r}")
                echoed += 1
                worst = max(worst, time.monotonic() - t0)
            except OSError as e:
                errors.append(f"connection {i} at seq {seq}: {e}")
                break
        seq += 1
        time.sleep(0.02)
    for c in conns:
        c.close()
    json.dump({"sent": sent, "echoed": echoed, "errors": errors, "worst_rtt_s": worst}, open(out, "w"))


def connect(host, port):
    try:
        socket.create_connection((host, port), timeout=1.0).close()
        print("passed")
    except ConnectionRefusedError:
        print("passed")
    except OSError:
        print("blocked")


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "echo":
        echo(int(sys.argv[2]))
    elif cmd == "talk":
        talk(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), sys.argv[6])
    elif cmd == "connect":
        connect(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(f"unknown command {cmd}")
