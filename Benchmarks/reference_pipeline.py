#!/usr/bin/env python3
"""The decode pipeline a Python user would write, as the benchmark's reference:
python-can's log reader -> can-isotp reassembly -> udsoncan decoding of ReadDTCInformation responses.

    reference_pipeline.py LOG > records.txt

Prints one line per DTC record in log order, in the form generate_log.py writes to LOG.expected:
`<response id> <address byte or -> <DTC as 6 hex digits> <status as 2 hex digits>`. Frames counted go to
stderr as `frames N`.

Reassembly is passive: one can-isotp TransportLayerLogic per response id (and address byte, for the Toyota
ids 0x750/0x758 with extended addressing), fed every frame of that id; the flow control frames a stack
would send go nowhere (the log already holds the tester's). Requests are not needed to decode a 0x59
response, whose first parameter echoes the report type.
"""
import sys

import can
import isotp
import udsoncan
from udsoncan import services

RESPONSE_IDS = {0x758: True, 0x7E8: False, 0x7B8: False}  # id -> extended addressing


class Listener:
    """A can-isotp stack that receives one id (and address byte) and never needs to transmit."""

    def __init__(self, response_id, address_byte):
        self.pending = None
        if address_byte is None:
            address = isotp.Address(isotp.AddressingMode.Normal_11bits, txid=response_id - 8, rxid=response_id)
        else:
            address = isotp.Address(isotp.AddressingMode.Extended_11bits, txid=response_id - 8, rxid=response_id,
                                    source_address=address_byte, target_address=address_byte)
        self.stack = isotp.TransportLayerLogic(rxfn=self._rx, txfn=lambda message: None, address=address,
                                               params={"max_frame_size": 1 << 20})

    def _rx(self, timeout):
        message, self.pending = self.pending, None
        return message

    def feed(self, message):
        self.pending = isotp.CanMessage(arbitration_id=message.arbitration_id, data=message.data,
                                        dlc=message.dlc, extended_id=message.is_extended_id,
                                        is_fd=message.is_fd, bitrate_switch=message.bitrate_switch)
        self.stack.process()
        while self.stack.available():
            yield self.stack.recv()


def main():
    path = sys.argv[1]
    listeners = {}
    frames = 0
    out = []
    for message in can.LogReader(path):
        frames += 1
        extended = RESPONSE_IDS.get(message.arbitration_id)
        if extended is None or message.is_extended_id:
            continue
        address_byte = message.data[0] if extended else None
        key = (message.arbitration_id, address_byte)
        listener = listeners.get(key)
        if listener is None:
            listener = listeners[key] = Listener(message.arbitration_id, address_byte)
        for payload in listener.feed(message):
            if len(payload) < 2 or payload[0] != 0x59:
                continue
            response = udsoncan.Response.from_payload(bytes(payload))
            services.ReadDTCInformation.interpret_response(response, subfunction=payload[1])
            prefix = "%03X %s " % (message.arbitration_id, "-" if address_byte is None else "%02X" % address_byte)
            for dtc in response.service_data.dtcs:
                out.append("%s%06X %02X\n" % (prefix, dtc.id, dtc.status.get_byte_as_int()))
    sys.stdout.write("".join(out))
    print("frames", frames, file=sys.stderr)


if __name__ == "__main__":
    main()
