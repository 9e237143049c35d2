import DTC

/// Service 0x31 RoutineControl (ISO 14229-1:2020 §15.2). **Decoded, never sent** (see
/// ``UDSServiceID/vehicleChangingNotSent``). Request `31 <control type> <routine id, 2 bytes> [options]`;
/// response `71 <control type> <routine id> [info + status record]`.
public enum RoutineControl {
    /// startRoutine (1), stopRoutine (2), requestRoutineResults (3); other values print as hex.
    static func controlTypeName(_ type: UInt8) -> String {
        let name: String? =
            switch type {
            case 0x01: "startRoutine"
            case 0x02: "stopRoutine"
            case 0x03: "requestRoutineResults"
            default: nil
            }
        return name.map { "\($0) (\(PayloadText.hex(type)))" } ?? PayloadText.hex(type)
    }

    /// `31 <type> <routine> [option record]`.
    public struct Request: Hashable, Sendable {
        /// The routine control type (sub-function, bits 0-6).
        public var controlType: UInt8
        /// Bit 7 of the sub-function.
        public var suppressPositiveResponse: Bool
        /// The routine identifier.
        public var routineIdentifier: UInt16
        /// The routineControlOptionRecord.
        public var options: ArraySlice<UInt8>

        init(from cursor: inout UDSCursor) throws(UDSError) {
            let subFunction = try cursor.byte("routine control type")
            controlType = subFunction & 0x7F
            suppressPositiveResponse = subFunction & 0x80 != 0
            routineIdentifier = try cursor.uint16("routine identifier")
            options = cursor.rest()
        }

        var fields: [(name: String, value: String)] {
            [("control type", RoutineControl.controlTypeName(controlType)),
             ("routine", PayloadText.hex(routineIdentifier, width: 4)), ("options", PayloadText.spaced(options))]
                + suppressField(suppressPositiveResponse)
        }
    }

    /// `71 <type> <routine> [status record]`.
    public struct Response: Hashable, Sendable {
        /// The routine control type echoed.
        public var controlType: UInt8
        /// The routine identifier echoed.
        public var routineIdentifier: UInt16
        /// routineInfo and routineStatusRecord, as bytes.
        public var statusRecord: ArraySlice<UInt8>

        init(from cursor: inout UDSCursor) throws(UDSError) {
            controlType = try cursor.byte("routine control type")
            routineIdentifier = try cursor.uint16("routine identifier")
            statusRecord = cursor.rest()
        }

        var fields: [(name: String, value: String)] {
            [("control type", RoutineControl.controlTypeName(controlType)),
             ("routine", PayloadText.hex(routineIdentifier, width: 4)), ("status", PayloadText.spaced(statusRecord))]
        }
    }
}
