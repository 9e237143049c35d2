#!/usr/bin/env python3
"""ISO-TP peer for CarDiag's cross-check: python can-isotp on the other end of our segmenter/reassembler.

Frames are exchanged as candump-like text, one per line: `ID#HEX` for classic CAN, `ID##<flags>HEX` for
CAN FD (3 hex digits for 11-bit ids, 8 for 29-bit ids).

  receive  stdin holds the frames our segmenter sent (after the flow control we expect from a receiver with
           BS 0 and STmin 0). can-isotp reassembles them. Output: `FC <frame>` for every flow-control frame
           it sends, `MSG <hex>` for every message, `ERR <text>` for every error it reports.
  send     stdin holds one payload per line (hex). can-isotp segments each, and a second can-isotp layer
           with the reversed address answers with flow control, in-process. Output: `TX <frame>` for every
           frame of the sender, `FC <frame>` for every flow-control frame of the receiver, `END` after each
           message, `ERR <text>` for every error.

Address options are given from the point of view of the can-isotp layer that the Swift side talks to.
A line `@ <options>` in the input starts a new section with other options (same syntax as the command line,
without the command); it is echoed as `@ <options>` so the output can be split the same way. One process
can so cover many addressing modes and frame formats.
"""
import argparse
import sys

import isotp

MODES = {
    "normal11": isotp.AddressingMode.Normal_11bits,
    "normal29": isotp.AddressingMode.Normal_29bits,
    "normalfixed29": isotp.AddressingMode.NormalFixed_29bits,
    "extended11": isotp.AddressingMode.Extended_11bits,
    "extended29": isotp.AddressingMode.Extended_29bits,
    "mixed11": isotp.AddressingMode.Mixed_11bits,
    "mixed29": isotp.AddressingMode.Mixed_29bits,
}


def parse_frame(line):
    ident, _, rest = line.partition("#")
    is_fd = rest.startswith("#")
    if is_fd:
        flags = int(rest[1], 16)
        data = bytes.fromhex(rest[2:])
    else:
        flags = 0
        data = bytes.fromhex(rest)
    return isotp.CanMessage(arbitration_id=int(ident, 16), dlc=len(data), data=data,
                            extended_id=len(ident) > 3, is_fd=is_fd, bitrate_switch=bool(flags & 1))


def format_frame(message):
    ident = ("%08X" if message.is_extended_id else "%03X") % message.arbitration_id
    data = bytes(message.data).hex().upper()
    if message.is_fd:
        return "%s##%X%s" % (ident, 1 if message.bitrate_switch else 0, data)
    return "%s#%s" % (ident, data)


def make_address(args, reverse=False):
    txid, rxid = (args.rxid, args.txid) if reverse else (args.txid, args.rxid)
    target, source = (args.source_address, args.target_address) if reverse else (args.target_address, args.source_address)
    mode = MODES[args.mode]
    kwargs = {}
    if mode in (isotp.AddressingMode.Normal_11bits, isotp.AddressingMode.Normal_29bits):
        kwargs = dict(txid=txid, rxid=rxid)
    elif mode == isotp.AddressingMode.NormalFixed_29bits:
        kwargs = dict(target_address=target, source_address=source)
    elif mode in (isotp.AddressingMode.Extended_11bits, isotp.AddressingMode.Extended_29bits):
        kwargs = dict(txid=txid, rxid=rxid, target_address=target, source_address=source)
    elif mode == isotp.AddressingMode.Mixed_11bits:
        kwargs = dict(txid=txid, rxid=rxid, address_extension=args.address_extension)
    elif mode == isotp.AddressingMode.Mixed_29bits:
        kwargs = dict(target_address=target, source_address=source, address_extension=args.address_extension)
    return isotp.Address(mode, **kwargs)


def make_layer(args, address, outbox, errors):
    params = {
        "stmin": 0,
        "blocksize": args.block_size,
        "tx_data_length": args.tx_dl,
        "tx_padding": None if args.padding == "none" else int(args.padding, 16),
        "can_fd": args.fd,
        "bitrate_switch": args.fd,
        "max_frame_size": 1 << 20,
        "wftmax": 0,
    }
    inbox = []

    def rxfn(timeout):
        return inbox.pop(0) if inbox else None

    layer = isotp.TransportLayerLogic(rxfn=rxfn, txfn=outbox.append, address=address,
                                      error_handler=lambda error: errors.append(error), params=params)
    return layer, inbox


def report_errors(errors):
    for error in errors:
        print("ERR %s: %s" % (type(error).__name__, error))
    errors.clear()


def receive(args, parser):
    sent, errors = [], []
    layer, inbox = make_layer(args, make_address(args), sent, errors) if args.txid or args.target_address else (None, [])
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        if line.startswith("@"):
            args = parser.parse_args(["receive"] + line[1:].split())
            layer, inbox = make_layer(args, make_address(args), sent, errors)
            print(line)
            continue
        inbox.append(parse_frame(line))
        layer.process()
        for frame in sent:
            print("FC " + format_frame(frame))
        sent.clear()
        while layer.available():
            print("MSG " + bytes(layer.recv()).hex().upper())
        report_errors(errors)


def send(args, parser):
    sender_out, receiver_out, errors = [], [], []
    if args.txid or args.target_address:
        sender, sender_in = make_layer(args, make_address(args), sender_out, errors)
        receiver, receiver_in = make_layer(args, make_address(args, reverse=True), receiver_out, errors)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        if line.startswith("@"):
            args = parser.parse_args(["send"] + line[1:].split())
            sender, sender_in = make_layer(args, make_address(args), sender_out, errors)
            receiver, receiver_in = make_layer(args, make_address(args, reverse=True), receiver_out, errors)
            print(line)
            continue
        payload = bytes.fromhex(line)
        sender.send(payload)
        for _ in range(1_000_000):
            sender.process()
            for frame in sender_out:
                print("TX " + format_frame(frame))
                receiver_in.append(frame)
            sender_out.clear()
            receiver.process()
            for frame in receiver_out:
                print("FC " + format_frame(frame))
                sender_in.append(frame)
            receiver_out.clear()
            if receiver.available():
                received = bytes(receiver.recv())
                if received != payload:
                    print("ERR peer receiver got %d bytes, not the %d sent" % (len(received), len(payload)))
                break
            if errors:
                break
        report_errors(errors)
        print("END")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["receive", "send"])
    parser.add_argument("--mode", choices=sorted(MODES), default="normal11")
    parser.add_argument("--txid", type=lambda text: int(text, 16))
    parser.add_argument("--rxid", type=lambda text: int(text, 16))
    parser.add_argument("--target-address", type=lambda text: int(text, 16))
    parser.add_argument("--source-address", type=lambda text: int(text, 16))
    parser.add_argument("--address-extension", type=lambda text: int(text, 16))
    parser.add_argument("--fd", action="store_true")
    parser.add_argument("--tx-dl", type=int, default=8)
    parser.add_argument("--padding", default="CC", help="hex byte, or 'none'")
    parser.add_argument("--block-size", type=int, default=0)
    args = parser.parse_args()
    receive(args, parser) if args.command == "receive" else send(args, parser)


if __name__ == "__main__":
    main()
