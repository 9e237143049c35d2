/// One CAN network interface (ARPHRD_CAN) with what is known about the hardware behind it.
public struct CANAdapter: Hashable, Sendable {
    /// The interface name ("can0").
    public var interface: String
    /// The kernel driver ("gs_usb", "peak_usb", "kvaser_usb", "kvaser_pci", "vcan", "slcan"), when known.
    public var driver: String?
    /// True for interfaces with no device behind them (vcan, vxcan, slcan attached to a tty).
    public var isVirtual: Bool
    /// The USB device behind the interface, if there is one.
    public var usb: USBDeviceInfo?
    /// Link state, bitrate and error counters; nil when they could not be read.
    public var link: CANLinkStatus?

    /// Creates an adapter description.
    public init(interface: String, driver: String?, isVirtual: Bool, usb: USBDeviceInfo?, link: CANLinkStatus?) {
        self.interface = interface
        self.driver = driver
        self.isVirtual = isVirtual
        self.usb = usb
        self.link = link
    }

    /// False for drivers with no CAN controller behind them (vcan, vxcan): they have no bitrate or state, and
    /// libsocketcan would only print "no link data found".
    var hasLinkSettings: Bool { driver != "vcan" && driver != "vxcan" }

    /// A short description of the hardware the driver stands for ("candleLight/CANable (gs_usb)").
    public var hardwareDescription: String {
        guard let driver else { return isVirtual ? "virtual interface" : "unknown driver" }
        let names: [String: String] = [
            "gs_usb": "candleLight / CANable / Geschwister Schneider USB",
            "peak_usb": "PEAK PCAN-USB",
            "peak_pci": "PEAK PCAN-PCI",
            "kvaser_usb": "Kvaser USB",
            "kvaser_pci": "Kvaser PCI (SJA1000)",
            "kvaser_pciefd": "Kvaser PCIe FD",
            "slcan": "serial-line (slcan/Lawicel) adapter",
            "vcan": "virtual CAN (no hardware)",
            "vxcan": "virtual CAN tunnel (no hardware)",
            "mcp251x": "MCP2515 SPI controller",
            "mcp251xfd": "MCP2517FD/2518FD SPI controller",
            "ems_usb": "EMS CPC-USB",
            "esd_usb": "esd CAN-USB",
            "ucan": "Theobroma uCAN",
            "etas_es58x": "ETAS ES58x",
            "usb_8dev": "8 devices USB2CAN",
            "mttcan": "NVIDIA Tegra MTTCAN",
            "c_can_platform": "Bosch C_CAN",
            "m_can_platform": "Bosch M_CAN",
            "flexcan": "NXP FlexCAN",
        ]
        return names[driver].map { "\($0) (\(driver))" } ?? driver
    }
}

/// The USB device behind an adapter or a serial port.
public struct USBDeviceInfo: Hashable, Sendable {
    /// The USB vendor id (`idVendor`).
    public var vendorID: UInt16
    /// The USB product id (`idProduct`).
    public var productID: UInt16
    /// The serial number string, if the device has one.
    public var serialNumber: String?
    /// The manufacturer string.
    public var manufacturer: String?
    /// The product string.
    public var product: String?

    /// Creates a USB description.
    public init(vendorID: UInt16, productID: UInt16, serialNumber: String?, manufacturer: String?, product: String?) {
        self.vendorID = vendorID
        self.productID = productID
        self.serialNumber = serialNumber
        self.manufacturer = manufacturer
        self.product = product
    }

    /// "1d50:606f" as lsusb prints it.
    public var idText: String {
        Self.hex4(vendorID) + ":" + Self.hex4(productID)
    }

    private static func hex4(_ value: UInt16) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 4 - text.count) + text
    }

    /// Reads the sysfs attributes of a USB device (`idVendor`, `idProduct` as four hex digits, plus `serial`,
    /// `manufacturer`, `product`); nil when the ids are missing or not hex.
    package init?(sysfsAttributes attributes: [String: String]) {
        func hex(_ key: String) -> UInt16? {
            guard let text = attributes[key]?.trimmingWhitespace, text.utf8.count == 4 else { return nil }
            return UInt16(text, radix: 16)
        }
        guard let vendor = hex("idVendor"), let product = hex("idProduct") else { return nil }
        func text(_ key: String) -> String? {
            guard let value = attributes[key]?.trimmingWhitespace, !value.isEmpty else { return nil }
            return value
        }
        self.init(
            vendorID: vendor, productID: product, serialNumber: text("serial"), manufacturer: text("manufacturer"),
            product: text("product"))
    }
}

/// A USB serial port (ttyACM, ttyUSB) that may be a CAN adapter speaking slcan (Lawicel) or an ELM327.
public struct SerialAdapterCandidate: Hashable, Sendable {
    /// The device node ("/dev/ttyACM0").
    public var devicePath: String
    /// The USB device behind the port, if known.
    public var usb: USBDeviceInfo?
    /// What the USB ids suggest, when they are known ones ("CANable (slcan firmware)"); nil otherwise.
    public var likelyAdapter: String?

    /// Creates a candidate.
    public init(devicePath: String, usb: USBDeviceInfo?, likelyAdapter: String?) {
        self.devicePath = devicePath
        self.usb = usb
        self.likelyAdapter = likelyAdapter
    }

    /// The command that attaches an slcan adapter on this port as `interface` at 500 kbit/s (`-s6`).
    public func attachCommand(interface: String = "can0") -> String {
        "sudo slcand -o -s6 -t hw -S 3000000 \(devicePath) \(interface) && sudo ip link set \(interface) up"
    }

    /// Whether a tty name is a USB serial port worth listing (ttyACM*, ttyUSB*).
    package static func isCandidate(ttyName: String) -> Bool {
        for prefix in ["ttyACM", "ttyUSB"] where ttyName.hasPrefix(prefix) {
            let rest = ttyName.dropFirst(prefix.count)
            return !rest.isEmpty && rest.allSatisfy(\.isNumber)
        }
        return false
    }

    /// What is known about USB serial devices used for car diagnostics, by vendor:product id.
    package static func likelyAdapter(for usb: USBDeviceInfo?) -> String? {
        guard let usb else { return nil }
        let known: [UInt32: String] = [
            0x16D0_117E: "CANable (slcan firmware)",
            0x0403_6001: "FTDI serial: Lawicel CANUSB, OBDLink or an ELM327",
            0x0403_6015: "FTDI serial: OBDLink SX/EX or an ELM327",
            0x1A86_7523: "CH340 serial: usually an ELM327 clone",
            0x10C4_EA60: "CP210x serial: an ELM327 or slcan adapter",
            0x067B_2303: "PL2303 serial: usually an ELM327 clone",
            0x0483_5740: "STM32 virtual COM port: slcan firmware (e.g. USBtin, CANable clones)",
            0x04D8_000A: "Microchip CDC: USBtin (slcan)",
        ]
        return known[UInt32(usb.vendorID) << 16 | UInt32(usb.productID)]
    }
}

/// A CAN interface appearing or going away (`cardiag adapters --watch`).
public enum CANAdapterEvent: Hashable, Sendable {
    /// A CAN interface was registered (adapter plugged in, module loaded, slcand attached).
    case added(CANAdapter)
    /// A CAN interface was unregistered (adapter unplugged).
    case removed(interface: String)
}

extension String {
    var trimmingWhitespace: String {
        let bytes = Array(utf8)
        guard let first = bytes.firstIndex(where: { $0 > 0x20 }), let last = bytes.lastIndex(where: { $0 > 0x20 })
        else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}

/// Orders names so that "can2" comes before "can10": the text before the trailing digits, then their value.
package func naturalOrder(_ lhs: String, _ rhs: String) -> Bool {
    func split(_ text: String) -> (String, Int) {
        let digits = text.reversed().prefix(while: \.isNumber)
        let stem = String(text.dropLast(digits.count))
        return (stem, Int(String(digits.reversed())) ?? -1)
    }
    let (left, right) = (split(lhs), split(rhs))
    return left.0 != right.0 ? left.0 < right.0 : left.1 < right.1
}
