#!/usr/bin/env python3
"""Writes a deterministic candump log for the decode benchmark, and the DTC records it holds.

    generate_log.py FRAMES OUT.log [--seed N]

The log looks like a loaded 500 kbit/s bus: about 95% broadcast frames (ids below 0x700, 8 data bytes,
one every ~230 us) and about 5% diagnostic sessions in the ISO-TP framing real testers use, interleaved
with the broadcast traffic:

- the Toyota DCM and main body behind 0x750/0x758 with extended addressing (sub-address 0xC7, 0x40),
- the engine ECU on 0x7E0/0x7E8 and ABS on 0x7B0/0x7B8 (normal addressing),
- ReadDTCInformation 19 02 with 0-12 DTC records (single frame or first frame, flow control and
  consecutive frames), sometimes preceded by a response-pending 7F 19 78,
- tester present, session control, a VIN read (22 F190, multi-frame) and OBD-II mode 01 via 0x7DF.

Beside OUT.log it writes OUT.log.expected: one line per DTC record in log order,
`<response id> <address byte or -> <DTC as 6 hex digits> <status as 2 hex digits>`, then nothing else;
the benchmark compares every decoder's records with it. Same FRAMES and seed, same bytes.
"""
import argparse
import random

BROADCAST_IDS = [0x024, 0x025, 0x0AA, 0x0B4, 0x1A0, 0x1C4, 0x224, 0x260, 0x2C1, 0x2E4, 0x340, 0x3B7, 0x3BC,
                 0x3D3, 0x423, 0x4C8, 0x610, 0x620, 0x63A, 0x6F0]
FAILURE_TYPES = [0x00, 0x11, 0x12, 0x13, 0x1C, 0x49, 0x64, 0x87, 0x96]
STATUSES = [0x08, 0x09, 0x0A, 0x0B, 0x2F, 0x28, 0x2C, 0x01, 0x24]
# (request id, response id, address byte or None)
ECUS = [(0x750, 0x758, 0xC7), (0x750, 0x758, 0x40), (0x7E0, 0x7E8, None), (0x7B0, 0x7B8, None)]


def frames_of(payload, address):
    """ISO-TP frames (data bytes, padded to 8 with 0xAA) for one message; ISO 15765-2 SF, FF and CF layouts."""
    prefix = [] if address is None else [address]
    room = 7 - len(prefix)
    if len(payload) <= room:
        data = prefix + [len(payload)] + payload
        return [data + [0xAA] * (8 - len(data))], False
    frames = [prefix + [0x10 | len(payload) >> 8, len(payload) & 0xFF] + payload[:room - 1]]
    rest = payload[room - 1:]
    sequence = 1
    while rest:
        data = prefix + [0x20 | sequence] + rest[:room]
        frames.append(data + [0xAA] * (8 - len(data)))
        rest = rest[room:]
        sequence = (sequence + 1) & 0x0F
    return frames, True


def session(rng):
    """One conversation: a list of (id, data) and the DTC records it carries."""
    request_id, response_id, address = ECUS[rng.randrange(len(ECUS))]
    kind = rng.random()
    out = []
    records = []

    def exchange(request, response):
        frames, _ = frames_of(request, address)
        out.extend((request_id, f) for f in frames)
        frames, segmented = frames_of(response, address)
        out.append((response_id, frames[0]))
        if segmented:
            flow_control = ([] if address is None else [address]) + [0x30, 0x00, 0x00]
            out.append((request_id, flow_control + [0xAA] * (8 - len(flow_control))))
        out.extend((response_id, f) for f in frames[1:])

    if kind < 0.55:
        mask = 0x09 if address == 0xC7 else 0xFF
        count = min(rng.randrange(0, 13), rng.randrange(0, 13))
        body = []
        for _ in range(count):
            dtc = rng.randrange(0, 1 << 16) << 8 | rng.choice(FAILURE_TYPES)
            status = rng.choice(STATUSES)
            body += [dtc >> 16, dtc >> 8 & 0xFF, dtc & 0xFF, status]
            records.append("%03X %s %06X %02X" % (response_id, "-" if address is None else "%02X" % address,
                                                  dtc, status))
        if rng.random() < 0.2:
            frames, _ = frames_of([0x19, 0x02, mask], address)
            out.extend((request_id, f) for f in frames)
            pending, _ = frames_of([0x7F, 0x19, 0x78], address)
            out.append((response_id, pending[0]))
            frames, segmented = frames_of([0x59, 0x02, 0xFF] + body, address)
            out.append((response_id, frames[0]))
            if segmented:
                flow_control = ([] if address is None else [address]) + [0x30, 0x00, 0x00]
                out.append((request_id, flow_control + [0xAA] * (8 - len(flow_control))))
            out.extend((response_id, f) for f in frames[1:])
        else:
            exchange([0x19, 0x02, mask], [0x59, 0x02, 0xFF] + body)
    elif kind < 0.70:
        exchange([0x3E, 0x00], [0x7E, 0x00])
    elif kind < 0.80:
        exchange([0x10, 0x03], [0x50, 0x03, 0x00, 0x32, 0x01, 0xF4])
    elif kind < 0.90:
        vin = [ord(c) for c in "JTHBK1GG5D%07d" % rng.randrange(10 ** 7)]
        exchange([0x22, 0xF1, 0x90], [0x62, 0xF1, 0x90] + vin)
    else:
        out.append((0x7DF, [0x02, 0x01, 0x0C] + [0xAA] * 5))
        rpm = rng.randrange(0, 1 << 16)
        out.append((0x7E8, [0x04, 0x41, 0x0C, rpm >> 8, rpm & 0xFF] + [0xAA] * 3))
    return out, records


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("frames", type=int)
    parser.add_argument("output")
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    rng = random.Random(arguments.seed)

    # A pool of broadcast frames, drawn from in blocks (random.choices runs in C).
    pool = []
    for _ in range(1 << 14):
        data = bytes(rng.randrange(256) for _ in range(8))
        pool.append("%03X#%s\n" % (rng.choice(BROADCAST_IDS), data.hex().upper()))

    records = []
    total = arguments.frames
    written = 0
    microseconds = 1_700_000_000 * 1_000_000
    with open(arguments.output, "w", buffering=1 << 20) as log:
        while written < total:
            # A stretch of broadcast traffic, then a session interleaved with more broadcast frames.
            stretch = min(total - written, rng.randrange(30, 130))
            lines = []
            for body in rng.choices(pool, k=stretch):
                microseconds += 230
                lines.append("(%d.%06d) can0 %s" % (microseconds // 1_000_000, microseconds % 1_000_000, body))
            log.write("".join(lines))
            written += stretch
            if written >= total:
                break
            frames, session_records = session(rng)
            if written + len(frames) * 3 > total:
                continue  # no session cut off by the end of the log
            lines = []
            for frame_id, data in frames:
                for body in rng.choices(pool, k=rng.randrange(0, 3)):
                    microseconds += 230
                    lines.append("(%d.%06d) can0 %s" % (microseconds // 1_000_000, microseconds % 1_000_000, body))
                    written += 1
                microseconds += 230
                lines.append("(%d.%06d) can0 %03X#%s\n" % (microseconds // 1_000_000, microseconds % 1_000_000,
                                                           frame_id, bytes(data).hex().upper()))
                written += 1
            log.write("".join(lines))
            records += session_records
    with open(arguments.output + ".expected", "w") as expected:
        expected.write("".join(record + "\n" for record in records))


if __name__ == "__main__":
    main()
