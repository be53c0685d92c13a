#!/usr/bin/python3
"""Sequenced UDP streams for the swap tests.

  udpseq.py recv PORT_A PORT_B OUT     record (port, seq) until 1.5 s of silence
  udpseq.py send HOST PORT_A PORT_B COUNT PPS
        sends COUNT packets alternating PORT_A, PORT_B, seq 0..COUNT-1, paced at PPS
"""
import json
import select
import socket
import sys
import time


def recv(pa, pb, out):
    socks = []
    for p in (pa, pb):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        s.bind(("0.0.0.0", p))
        socks.append((p, s))
    got = {pa: [], pb: []}
    print("ready", flush=True)
    started = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([s for _, s in socks], [], [], 1.5 if started else 30)
        if not ready:
            break
        started = True
        for p, s in socks:
            if s in ready:
                data = s.recv(64)
                got[p].append(int(data.split(b" ")[1]))
    with open(out, "w") as f:
        json.dump({"a": got[pa], "b": got[pb]}, f)


def send(host, pa, pb, count, pps):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    start = time.monotonic()
    for i in range(count):
        port = pa if i % 2 == 0 else pb
        s.sendto(b"seq %d " % i, (host, port))
        target = start + (i + 1) / pps
        delay = target - time.monotonic()
        if delay > 0:
            time.sleep(delay)


if __name__ == "__main__":
    if sys.argv[1] == "recv":
        recv(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    else:
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]))
