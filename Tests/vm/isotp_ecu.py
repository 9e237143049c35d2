#!/usr/bin/env python3
"""An ECU we did not build on our stack: UDS answers served through the Linux kernel's CAN_ISOTP sockets
(Python's socket module, no CarDiag code), for the VM tier's scan test.

    isotp_ecu.py IFACE SECONDS

Serves two ECUs until SECONDS have passed: the Toyota DCM behind 0x750/0x758 with extended address 0xC7
(B15C4-00, status 0x09) and the engine ECU on 0x7E0/0x7E8 (no UDS codes; OBD mode 03 lists P0335).
Prints "ready" on stderr once both sockets are bound.
"""
import select
import socket
import struct
import sys
import time

SOL_CAN_ISOTP = socket.SOL_CAN_BASE + socket.CAN_ISOTP  # linux/can/isotp.h
CAN_ISOTP_OPTS = 1
CAN_ISOTP_EXTEND_ADDR = 0x002
CAN_ISOTP_TX_PADDING = 0x004

VIN = b"JTDKN3DU6A0123456"


def answer(request, own):
    """What an ECU answers: its own answers first, then the default session, then a refusal (requestOutOfRange
    for an unknown identifier, serviceNotSupported for anything else)."""
    for prefix, response in own:
        if request.startswith(prefix):
            return response
    if request[:2] == b"\x10\x01":
        return b"\x50\x01\x00\x32\x01\xf4"
    if request[:1] == b"\x22":
        return b"\x7f\x22\x31"
    return b"\x7f" + request[:1] + b"\x11"


DCM = [
    (b"\x19\x02", b"\x59\x02\xff\x95\xc4\x00\x09"),
    (b"\x22\xf1\x90", b"\x62\xf1\x90" + VIN),
    (b"\x22\xf1\x81", b"\x62\xf1\x81" + b"86741-0R011"),
]
ENGINE = [
    (b"\x19\x02", b"\x59\x02\xff"),
    (b"\x03", b"\x43\x01\x03\x35"),
    (b"\x07", b"\x47\x00"),
    (b"\x0a", b"\x4a\x00"),
    (b"\x09\x02", b"\x49\x02\x01" + VIN),
]


def open_socket(interface, request_id, response_id, extended_address=None):
    sock = socket.socket(socket.AF_CAN, socket.SOCK_DGRAM, socket.CAN_ISOTP)
    flags = CAN_ISOTP_TX_PADDING
    if extended_address is not None:
        flags |= CAN_ISOTP_EXTEND_ADDR
    # struct can_isotp_options: flags, frame_txtime, ext_address, txpad_content, rxpad_content, rx_ext_address
    options = struct.pack("=IIBBBB", flags, 0, extended_address or 0, 0xCC, 0xCC, extended_address or 0)
    sock.setsockopt(SOL_CAN_ISOTP, CAN_ISOTP_OPTS, options)
    sock.bind((interface, request_id, response_id))  # (interface, rx_addr, tx_addr)
    return sock


def main():
    interface, seconds = sys.argv[1], float(sys.argv[2])
    servers = {
        open_socket(interface, 0x750, 0x758, 0xC7): DCM,
        open_socket(interface, 0x7E0, 0x7E8): ENGINE,
    }
    print("ready", file=sys.stderr, flush=True)
    deadline = time.monotonic() + seconds
    answered = 0
    while time.monotonic() < deadline:
        readable, _, _ = select.select(list(servers), [], [], 0.2)
        for sock in readable:
            request = sock.recv(4096)
            if request[:1] == b"\x3e" and len(request) > 1 and request[1] & 0x80:
                continue  # tester present, no answer wanted
            sock.send(answer(request, servers[sock]))
            answered += 1
    print(f"answered {answered} requests", file=sys.stderr)


if __name__ == "__main__":
    main()
