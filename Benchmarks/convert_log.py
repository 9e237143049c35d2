#!/usr/bin/env python3
"""Rewrites a plain candump log (what generate_log.py writes) in another format cardiag reads, for the
benchmark's per-format rows.

    convert_log.py FORMAT IN.log OUT

FORMAT is `csv` (GVRET/SavvyCAN CSV: `Time Stamp,ID,Extended,Dir,Bus,LEN,D1..D8`, microsecond timestamps)
or `pcap` (libpcap with microsecond timestamps, link type 227 LINKTYPE_CAN_SOCKETCAN: a 16-byte record
header, then can_id big-endian, length, flags, two reserved bytes and 8 data bytes). Only classic data
frames of the plain shape `(seconds.micros) iface ID#HEX` are expected; anything else stops the
conversion. The frames, their ids, data and timestamps are the same, so the DTC records are too.
"""
import struct
import sys


def frames(path):
    with open(path, "rb") as lines:
        for line in lines:
            stamp, _, frame = line.split(b" ", 2)
            seconds, micros = stamp[1:-1].split(b".")
            ident, data = frame.rstrip(b"\n").split(b"#")
            if len(micros) != 6 or len(ident) not in (3, 8):
                sys.exit("convert_log: unexpected line %r" % line)
            yield int(seconds), int(micros), int(ident, 16), len(ident) == 8, bytes.fromhex(data.decode())


def write_csv(source, out):
    out.write(b"Time Stamp,ID,Extended,Dir,Bus,LEN,D1,D2,D3,D4,D5,D6,D7,D8\n")
    pieces = []
    for seconds, micros, ident, extended, data in source:
        cells = ",".join("%02X" % byte for byte in data)
        pieces.append("%d,%08X,%s,Rx,0,%d,%s,\n" % (seconds * 1_000_000 + micros, ident,
                                                   "true" if extended else "false", len(data), cells))
        if len(pieces) >= 1 << 16:
            out.write("".join(pieces).encode())
            pieces.clear()
    out.write("".join(pieces).encode())


def write_pcap(source, out):
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 1 << 16, 227))
    header = struct.Struct("<IIII")
    body = struct.Struct(">IBBBB8s")
    pieces = []
    for seconds, micros, ident, extended, data in source:
        can_id = ident | (0x8000_0000 if extended else 0)
        pieces.append(header.pack(seconds, micros, 16, 16) + body.pack(can_id, len(data), 0, 0, 0, data.ljust(8, b"\0")))
        if len(pieces) >= 1 << 16:
            out.write(b"".join(pieces))
            pieces.clear()
    out.write(b"".join(pieces))


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("csv", "pcap"):
        sys.exit(__doc__)
    kind, source, target = sys.argv[1:]
    with open(target, "wb") as out:
        (write_csv if kind == "csv" else write_pcap)(frames(source), out)


if __name__ == "__main__":
    main()
