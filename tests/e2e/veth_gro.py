#!/usr/bin/env python3
"""Turns GRO on for a veth (ETHTOOL_SGRO through SIOCETHTOOL), without
ethtool: a veth takes frames sent with XDP_TX by its peer's XDP program only
when it runs NAPI, which GRO (or an XDP program of its own) switches on.
Usage: veth_gro.py IFNAME"""
import ctypes
import fcntl
import socket
import struct
import sys

SIOCETHTOOL = 0x8946
ETHTOOL_SGRO = 0x0000002C

ifname = sys.argv[1].encode()
value = ctypes.create_string_buffer(struct.pack("II", ETHTOOL_SGRO, 1))
ifreq = struct.pack("16sP", ifname, ctypes.addressof(value))
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    fcntl.ioctl(s.fileno(), SIOCETHTOOL, ifreq)
print("gro on", sys.argv[1])
