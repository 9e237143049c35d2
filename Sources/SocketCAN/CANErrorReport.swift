public import CANCore

/// What a SocketCAN error frame says, decoded from its class bits and data bytes (linux/can/error.h).
///
/// The classes are in the id (`CANErrorClass`); the details are in the data: `data[0]` the bit where
/// arbitration was lost, `data[1]` the controller status, `data[2]`/`data[3]` the protocol violation type and
/// location, `data[4]` the transceiver status, `data[6]`/`data[7]` the transmit and receive error counters.
public struct CANErrorReport: Hashable, Sendable, CustomStringConvertible {
    /// The error classes set in the frame's id.
    public var classes: CANErrorClass
    /// The bit position where arbitration was lost (0 when the driver did not say), if lost arbitration.
    public var lostArbitrationBit: UInt8?
    /// Controller status bits from `data[1]`, if a controller problem was reported.
    public var controller: ControllerStatus
    /// Protocol violation type bits from `data[2]`.
    public var violation: ProtocolViolation
    /// Where in the frame the protocol violation happened (`data[3]`).
    public var violationLocation: FrameLocation?
    /// The transceiver status code from `data[4]` (`CAN_ERR_TRX_*`), if reported and not zero.
    public var transceiverStatus: UInt8?
    /// Transmit and receive error counters (`data[6]`, `data[7]`), when the frame carries them.
    public var errorCounters: (transmit: UInt8, receive: UInt8)?

    /// Decodes an error frame; returns nil for any other kind of frame.
    public init?(_ frame: CANFrame) {
        guard case .error(let classes) = frame.kind else { return nil }
        func byte(_ index: Int) -> UInt8 { index < frame.data.count ? frame.data[index] : 0 }
        self.classes = classes
        lostArbitrationBit = classes.contains(.lostArbitration) ? byte(0) : nil
        controller = classes.contains(.controller) ? ControllerStatus(rawValue: byte(1)) : []
        violation = classes.contains(.protocolViolation) ? ProtocolViolation(rawValue: byte(2)) : []
        violationLocation =
            classes.contains(.protocolViolation) && byte(3) != 0 ? FrameLocation(rawValue: byte(3)) : nil
        transceiverStatus = classes.contains(.transceiver) && byte(4) != 0 ? byte(4) : nil
        // Drivers fill the counters whenever they have them; CAN_ERR_CNT says they are valid.
        errorCounters = classes.contains(.counters) ? (byte(6), byte(7)) : nil
    }

    public static func == (lhs: CANErrorReport, rhs: CANErrorReport) -> Bool {
        lhs.classes == rhs.classes && lhs.lostArbitrationBit == rhs.lostArbitrationBit
            && lhs.controller == rhs.controller && lhs.violation == rhs.violation
            && lhs.violationLocation == rhs.violationLocation && lhs.transceiverStatus == rhs.transceiverStatus
            && lhs.errorCounters?.transmit == rhs.errorCounters?.transmit
            && lhs.errorCounters?.receive == rhs.errorCounters?.receive
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(classes)
        hasher.combine(controller)
        hasher.combine(violation)
    }

    /// The bus state this report implies, if it says anything about it: bus-off, error-passive,
    /// error-warning, or back to error-active after a restart or recovery.
    public var busState: CANBusState? {
        if classes.contains(.busOff) { return .busOff }
        if controller.contains(.receivePassive) || controller.contains(.transmitPassive) { return .errorPassive }
        if controller.contains(.receiveWarning) || controller.contains(.transmitWarning) { return .errorWarning }
        if classes.contains(.restarted) || controller.contains(.backToActive) { return .errorActive }
        return nil
    }

    /// The findings in words, most serious first ("bus-off; no ACK: ...").
    public var description: String {
        var parts: [String] = []
        if classes.contains(.busOff) {
            parts.append("bus-off: the controller stopped sending after too many errors")
        }
        let passive = controller.contains(.receivePassive) || controller.contains(.transmitPassive)
        let warning = controller.contains(.receiveWarning) || controller.contains(.transmitWarning)
        if passive || warning {
            let state: CANBusState = passive ? .errorPassive : .errorWarning
            let side = [
                controller.contains(.transmitPassive) || controller.contains(.transmitWarning) ? "tx" : nil,
                controller.contains(.receivePassive) || controller.contains(.receiveWarning) ? "rx" : nil,
            ].compactMap { $0 }.joined(separator: "+")
            parts.append("\(state) (\(side))")
        }
        if classes.contains(.noAcknowledge) {
            parts.append("no ACK: no other node acknowledged (wrong bitrate, or nothing else on the bus)")
        }
        if let bit = lostArbitrationBit {
            parts.append(bit == 0 ? "lost arbitration" : "lost arbitration at bit \(bit)")
        }
        if classes.contains(.protocolViolation) {
            var text = "protocol violation"
            if !violation.names.isEmpty { text += " " + violation.names.joined(separator: "+") }
            if let location = violationLocation { text += " at \(location)" }
            parts.append(text)
        }
        if controller.contains(.receiveOverflow) { parts.append("receive buffer overflow") }
        if controller.contains(.transmitOverflow) { parts.append("transmit buffer overflow") }
        if let status = transceiverStatus { parts.append("transceiver problem 0x" + Hex.string(status, digits: 2)) }
        if classes.contains(.transmitTimeout) { parts.append("transmit timeout") }
        if classes.contains(.busError) && !classes.contains(.protocolViolation) { parts.append("bus error") }
        if classes.contains(.restarted) { parts.append("controller restarted") }
        if controller.contains(.backToActive) { parts.append("back to error-active") }
        if let counters = errorCounters {
            parts.append("tx errors \(counters.transmit), rx errors \(counters.receive)")
        }
        return parts.isEmpty
            ? "error frame (" + classes.names.joined(separator: ",") + ")" : parts.joined(separator: "; ")
    }

    /// Controller status bits (`CAN_ERR_CRTL_*`, `data[1]`).
    public struct ControllerStatus: OptionSet, Hashable, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// Receive buffer overflow.
        public static let receiveOverflow = ControllerStatus(rawValue: 0x01)
        /// Transmit buffer overflow.
        public static let transmitOverflow = ControllerStatus(rawValue: 0x02)
        /// Receive error counter reached the warning level (96).
        public static let receiveWarning = ControllerStatus(rawValue: 0x04)
        /// Transmit error counter reached the warning level (96).
        public static let transmitWarning = ControllerStatus(rawValue: 0x08)
        /// Receive error counter reached the error-passive level (128).
        public static let receivePassive = ControllerStatus(rawValue: 0x10)
        /// Transmit error counter reached the error-passive level (128).
        public static let transmitPassive = ControllerStatus(rawValue: 0x20)
        /// Recovered to error-active.
        public static let backToActive = ControllerStatus(rawValue: 0x40)
    }

    /// Protocol violation types (`CAN_ERR_PROT_*`, `data[2]`).
    public struct ProtocolViolation: OptionSet, Hashable, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// Single bit error.
        public static let bit = ProtocolViolation(rawValue: 0x01)
        /// Frame format error.
        public static let form = ProtocolViolation(rawValue: 0x02)
        /// Bit stuffing error.
        public static let stuff = ProtocolViolation(rawValue: 0x04)
        /// Unable to send a dominant bit.
        public static let dominantBit = ProtocolViolation(rawValue: 0x08)
        /// Unable to send a recessive bit.
        public static let recessiveBit = ProtocolViolation(rawValue: 0x10)
        /// Bus overload.
        public static let overload = ProtocolViolation(rawValue: 0x20)
        /// Active error announcement.
        public static let activeError = ProtocolViolation(rawValue: 0x40)
        /// The error happened on transmission.
        public static let onTransmit = ProtocolViolation(rawValue: 0x80)

        /// The names of the set bits.
        public var names: [String] {
            let table: [(ProtocolViolation, String)] = [
                (.bit, "bit"), (.form, "form"), (.stuff, "stuff"), (.dominantBit, "dominant-bit"),
                (.recessiveBit, "recessive-bit"), (.overload, "overload"), (.activeError, "active-error"),
                (.onTransmit, "on-tx"),
            ]
            return table.filter { contains($0.0) }.map(\.1)
        }
    }

    /// Where in a frame a protocol violation happened (`CAN_ERR_PROT_LOC_*`, `data[3]`); an open code space.
    public struct FrameLocation: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// Start of frame.
        public static let startOfFrame = FrameLocation(rawValue: 0x03)
        /// Identifier bits 28-21.
        public static let identifierBits28to21 = FrameLocation(rawValue: 0x02)
        /// Identifier bits 20-18.
        public static let identifierBits20to18 = FrameLocation(rawValue: 0x06)
        /// Substitute RTR (or RTR of a standard frame).
        public static let substituteRemoteRequest = FrameLocation(rawValue: 0x04)
        /// Identifier extension bit.
        public static let identifierExtension = FrameLocation(rawValue: 0x05)
        /// Identifier bits 17-13.
        public static let identifierBits17to13 = FrameLocation(rawValue: 0x07)
        /// Identifier bits 12-5.
        public static let identifierBits12to5 = FrameLocation(rawValue: 0x0F)
        /// Identifier bits 4-0.
        public static let identifierBits4to0 = FrameLocation(rawValue: 0x0E)
        /// RTR bit.
        public static let remoteRequest = FrameLocation(rawValue: 0x0C)
        /// Reserved bit 1.
        public static let reserved1 = FrameLocation(rawValue: 0x0D)
        /// Reserved bit 0.
        public static let reserved0 = FrameLocation(rawValue: 0x09)
        /// Data length code.
        public static let dataLengthCode = FrameLocation(rawValue: 0x0B)
        /// Data section.
        public static let data = FrameLocation(rawValue: 0x0A)
        /// CRC sequence.
        public static let crcSequence = FrameLocation(rawValue: 0x08)
        /// CRC delimiter.
        public static let crcDelimiter = FrameLocation(rawValue: 0x18)
        /// ACK slot.
        public static let acknowledgeSlot = FrameLocation(rawValue: 0x19)
        /// ACK delimiter.
        public static let acknowledgeDelimiter = FrameLocation(rawValue: 0x1B)
        /// End of frame.
        public static let endOfFrame = FrameLocation(rawValue: 0x1A)
        /// Intermission.
        public static let intermission = FrameLocation(rawValue: 0x12)

        /// The location's name, or its hex value when unknown.
        public var description: String {
            let names: [UInt8: String] = [
                0x03: "start of frame", 0x02: "id bits 28-21", 0x06: "id bits 20-18", 0x04: "SRTR", 0x05: "IDE",
                0x07: "id bits 17-13", 0x0F: "id bits 12-5", 0x0E: "id bits 4-0", 0x0C: "RTR", 0x0D: "reserved bit 1",
                0x09: "reserved bit 0", 0x0B: "DLC", 0x0A: "data", 0x08: "CRC sequence", 0x18: "CRC delimiter",
                0x19: "ACK slot", 0x1B: "ACK delimiter", 0x1A: "end of frame", 0x12: "intermission",
            ]
            return names[rawValue] ?? "location 0x" + Hex.string(rawValue, digits: 2)
        }
    }
}
