import DTC

/// A SAE J1979 / ISO 15031-5 parameter identifier (PID) of modes 0x01 and 0x02. Open code space: every
/// byte is representable; the PIDs CarDiag decodes are named, others print as hex and keep their bytes.
public struct OBDParameterID: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The PID byte.
    public let rawValue: UInt8
    /// Wraps a byte.
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// Wraps a byte.
    public init(_ rawValue: UInt8) { self.rawValue = rawValue }

    /// 0x00: PIDs 0x01-0x20 supported (bitmap).
    public static let supportedPIDs01To20 = OBDParameterID(0x00)
    /// 0x01: monitor status since DTCs cleared (MIL, DTC count, readiness).
    public static let monitorStatus = OBDParameterID(0x01)
    /// 0x04: calculated engine load.
    public static let engineLoad = OBDParameterID(0x04)
    /// 0x05: engine coolant temperature.
    public static let coolantTemperature = OBDParameterID(0x05)
    /// 0x0C: engine speed.
    public static let engineSpeed = OBDParameterID(0x0C)
    /// 0x0D: vehicle speed.
    public static let vehicleSpeed = OBDParameterID(0x0D)
    /// 0x0F: intake air temperature.
    public static let intakeAirTemperature = OBDParameterID(0x0F)
    /// 0x10: mass air flow rate.
    public static let massAirFlow = OBDParameterID(0x10)
    /// 0x11: absolute throttle position.
    public static let throttlePosition = OBDParameterID(0x11)
    /// 0x1C: OBD requirements the vehicle is built to.
    public static let obdStandard = OBDParameterID(0x1C)
    /// 0x1F: run time since engine start.
    public static let runTimeSinceStart = OBDParameterID(0x1F)
    /// 0x21: distance travelled with the MIL on.
    public static let distanceWithMIL = OBDParameterID(0x21)
    /// 0x2F: fuel tank level.
    public static let fuelLevel = OBDParameterID(0x2F)
    /// 0x31: distance travelled since DTCs cleared.
    public static let distanceSinceCleared = OBDParameterID(0x31)
    /// 0x42: control module voltage.
    public static let controlModuleVoltage = OBDParameterID(0x42)
    /// 0x46: ambient air temperature.
    public static let ambientAirTemperature = OBDParameterID(0x46)
    /// 0x51: fuel type.
    public static let fuelType = OBDParameterID(0x51)

    /// True for 0x00, 0x20, 0x40 ... 0xE0: a bitmap of the next 32 PIDs.
    public var isSupportBitmap: Bool { rawValue % 0x20 == 0 }

    /// The J1979 name, or nil.
    public var name: String? {
        if isSupportBitmap {
            return "PIDs supported [\(PayloadText.pair(rawValue &+ 1))-\(PayloadText.pair(rawValue &+ 0x20))]"
        }
        return Self.table[rawValue]?.name
    }

    /// The data length in bytes, or nil when CarDiag does not know it.
    public var dataLength: Int? { isSupportBitmap ? 4 : Self.table[rawValue]?.length }

    /// `engine speed (0x0C)` or `0x9A`.
    public var description: String {
        let hex = PayloadText.hex(rawValue)
        return name.map { "\($0) (\(hex))" } ?? hex
    }

    public static func < (lhs: OBDParameterID, rhs: OBDParameterID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Names and data lengths (SAE J1979 Annex B).
    static let table: [UInt8: (name: String, length: Int)] = [
        0x01: ("monitor status since DTCs cleared", 4), 0x02: ("DTC that caused freeze frame", 2),
        0x03: ("fuel system status", 2), 0x04: ("calculated engine load", 1), 0x05: ("engine coolant temperature", 1),
        0x06: ("short term fuel trim bank 1", 1), 0x07: ("long term fuel trim bank 1", 1),
        0x08: ("short term fuel trim bank 2", 1), 0x09: ("long term fuel trim bank 2", 1),
        0x0A: ("fuel pressure", 1), 0x0B: ("intake manifold absolute pressure", 1), 0x0C: ("engine speed", 2),
        0x0D: ("vehicle speed", 1), 0x0E: ("timing advance", 1), 0x0F: ("intake air temperature", 1),
        0x10: ("mass air flow rate", 2), 0x11: ("throttle position", 1), 0x12: ("commanded secondary air status", 1),
        0x13: ("oxygen sensors present (2 banks)", 1), 0x14: ("oxygen sensor 1", 2), 0x15: ("oxygen sensor 2", 2),
        0x16: ("oxygen sensor 3", 2), 0x17: ("oxygen sensor 4", 2), 0x18: ("oxygen sensor 5", 2),
        0x19: ("oxygen sensor 6", 2), 0x1A: ("oxygen sensor 7", 2), 0x1B: ("oxygen sensor 8", 2),
        0x1C: ("OBD standard", 1), 0x1D: ("oxygen sensors present (4 banks)", 1), 0x1E: ("auxiliary input status", 1),
        0x1F: ("run time since engine start", 2), 0x21: ("distance travelled with MIL on", 2),
        0x22: ("fuel rail pressure (relative to vacuum)", 2), 0x23: ("fuel rail gauge pressure", 2),
        0x2C: ("commanded EGR", 1), 0x2D: ("EGR error", 1), 0x2E: ("commanded evaporative purge", 1),
        0x2F: ("fuel tank level", 1), 0x30: ("warm-ups since DTCs cleared", 1),
        0x31: ("distance travelled since DTCs cleared", 2), 0x32: ("evap system vapour pressure", 2),
        0x33: ("absolute barometric pressure", 1), 0x3C: ("catalyst temperature bank 1 sensor 1", 2),
        0x3D: ("catalyst temperature bank 2 sensor 1", 2), 0x3E: ("catalyst temperature bank 1 sensor 2", 2),
        0x3F: ("catalyst temperature bank 2 sensor 2", 2), 0x41: ("monitor status this drive cycle", 4),
        0x42: ("control module voltage", 2), 0x43: ("absolute load value", 2),
        0x44: ("commanded air-fuel equivalence ratio", 2), 0x45: ("relative throttle position", 1),
        0x46: ("ambient air temperature", 1), 0x47: ("absolute throttle position B", 1),
        0x48: ("absolute throttle position C", 1), 0x49: ("accelerator pedal position D", 1),
        0x4A: ("accelerator pedal position E", 1), 0x4B: ("accelerator pedal position F", 1),
        0x4C: ("commanded throttle actuator", 1), 0x4D: ("time run with MIL on", 2),
        0x4E: ("time since DTCs cleared", 2), 0x51: ("fuel type", 1), 0x52: ("ethanol fuel", 1),
        0x5A: ("relative accelerator pedal position", 1), 0x5B: ("hybrid battery pack remaining life", 1),
        0x5C: ("engine oil temperature", 1), 0x5E: ("engine fuel rate", 2),
    ]
}

/// A decoded PID value.
public enum OBDValue: Hashable, Sendable, CustomStringConvertible {
    /// A support bitmap, decoded into the PIDs it marks as supported.
    case supportedPIDs([OBDParameterID])
    /// PID 0x01: the MIL and the number of emissions-related DTCs (plus the raw readiness bytes).
    case monitorStatus(isMILOn: Bool, dtcCount: UInt8, readiness: ArraySlice<UInt8>)
    /// A physical quantity with its unit.
    case quantity(Double, unit: String)
    /// A coded value with the name J1979 gives it, if any.
    case coded(UInt8, name: String?)
    /// Bytes CarDiag does not decode.
    case bytes(ArraySlice<UInt8>)

    public var description: String {
        switch self {
        case .supportedPIDs(let pids):
            return pids.isEmpty ? "none" : pids.map { PayloadText.pair($0.rawValue) }.joined(separator: " ")
        case .monitorStatus(let isMILOn, let dtcCount, let readiness):
            return "MIL \(isMILOn ? "on" : "off"), \(dtcCount) DTC(s), readiness \(PayloadText.spaced(readiness))"
        case .quantity(let value, let unit): return "\(PayloadText.decimal(value)) \(unit)"
        case .coded(let value, let name): return name.map { "\($0) (\(value))" } ?? String(value)
        case .bytes(let bytes): return PayloadText.spaced(bytes)
        }
    }

    /// The PIDs a bitmap marks: bit 7 of the first byte is PID base+1, bit 0 of the last is base+32.
    public static func supportedPIDs(base: UInt8, bitmap: some Collection<UInt8>) -> [OBDParameterID] {
        var pids: [OBDParameterID] = []
        for (index, byte) in bitmap.prefix(4).enumerated() {
            for bit in 0..<8 where byte & (0x80 >> bit) != 0 {
                pids.append(OBDParameterID(base &+ UInt8(index * 8 + bit + 1)))
            }
        }
        return pids
    }

    /// Decodes `data` for `pid` with the SAE J1979 formulas; bytes when the PID or length is not known.
    public init(pid: OBDParameterID, data: ArraySlice<UInt8>) {
        guard let length = pid.dataLength, data.count == length else {
            self = .bytes(data)
            return
        }
        if pid.isSupportBitmap {
            self = .supportedPIDs(Self.supportedPIDs(base: pid.rawValue, bitmap: data))
            return
        }
        let a = Double(data[data.startIndex])
        let word = data.count >= 2 ? a * 256 + Double(data[data.startIndex + 1]) : a
        switch pid.rawValue {
        case 0x01:
            let first = data[data.startIndex]
            self = .monitorStatus(isMILOn: first & 0x80 != 0, dtcCount: first & 0x7F, readiness: data.dropFirst())
        case 0x04, 0x11, 0x2C, 0x2E, 0x2F, 0x45, 0x47...0x4C, 0x52, 0x5A, 0x5B: self = .quantity(a * 100 / 255, unit: "%")
        case 0x05, 0x0F, 0x46, 0x5C: self = .quantity(a - 40, unit: "°C")
        case 0x0A: self = .quantity(a * 3, unit: "kPa")
        case 0x0B, 0x33: self = .quantity(a, unit: "kPa")
        case 0x0C: self = .quantity(word / 4, unit: "rpm")
        case 0x0D: self = .quantity(a, unit: "km/h")
        case 0x0E: self = .quantity(a / 2 - 64, unit: "° before TDC")
        case 0x10: self = .quantity(word / 100, unit: "g/s")
        case 0x1F: self = .quantity(word, unit: "s")
        case 0x21, 0x31: self = .quantity(word, unit: "km")
        case 0x30: self = .quantity(a, unit: "warm-ups")
        case 0x3C...0x3F: self = .quantity(word / 10 - 40, unit: "°C")
        case 0x42: self = .quantity(word / 1000, unit: "V")
        case 0x4D, 0x4E: self = .quantity(word, unit: "min")
        case 0x5E: self = .quantity(word / 20, unit: "L/h")
        case 0x1C: self = .coded(data[data.startIndex], name: Self.obdStandards[data[data.startIndex]])
        case 0x51: self = .coded(data[data.startIndex], name: Self.fuelTypes[data[data.startIndex]])
        default: self = .bytes(data)
        }
    }

    /// PID 0x1C values (SAE J1979 Table A7, common entries).
    static let obdStandards: [UInt8: String] = [
        1: "OBD-II as defined by the CARB", 2: "OBD as defined by the EPA", 3: "OBD and OBD-II", 4: "OBD-I",
        5: "not OBD compliant", 6: "EOBD (Europe)", 7: "EOBD and OBD-II", 8: "EOBD and OBD",
        9: "EOBD, OBD and OBD II", 10: "JOBD (Japan)", 11: "JOBD and OBD II", 12: "JOBD and EOBD",
        13: "JOBD, EOBD, and OBD II",
    ]

    /// PID 0x51 values (SAE J1979 Table A8).
    static let fuelTypes: [UInt8: String] = [
        0: "not available", 1: "gasoline", 2: "methanol", 3: "ethanol", 4: "diesel", 5: "LPG", 6: "CNG",
        7: "propane", 8: "electric", 9: "bifuel running gasoline", 10: "bifuel running methanol",
        11: "bifuel running ethanol", 12: "bifuel running LPG", 13: "bifuel running CNG",
        14: "bifuel running propane", 15: "bifuel running electricity", 16: "bifuel running electric and combustion",
        17: "hybrid gasoline", 18: "hybrid ethanol", 19: "hybrid diesel", 20: "hybrid electric",
        21: "hybrid running electric and combustion", 22: "hybrid regenerative", 23: "bifuel running diesel",
    ]
}
