import ArgumentParser
import SocketCAN

/// `cardiag adapters`: the CAN interfaces on this machine with driver, USB ids, state and bitrate, and the USB
/// serial ports that may be slcan or ELM327 adapters.
struct AdaptersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adapters",
        abstract: "List CAN adapters: interfaces with driver, USB ids, bus state, bitrate and error counters.",
        discussion: """
            JSON output (--format json) is one object, schema "cardiag.adapters/1": {"schema", "interfaces": \
            [{"interface", "driver", "virtual", "hardware", "usb": {"vendorID", "productID", "serial", \
            "manufacturer", "product"} | null, "state", "bitrate", "txErrors", "rxErrors", "restartMs"}], \
            "serialPorts": [{"device", "usb", "likely", "attach"}]}. With --watch, one line per event: \
            {"schema": "cardiag.adapters.event/1", "event": "added"|"removed", "interface", ...}.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Flag(help: "Keep running and report adapters as they are plugged in and unplugged.")
    var watch = false

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    func run() async throws {
        let discovery = CANAdapterDiscovery()
        let terminal = Terminal.shared
        let interfaces = discovery.canInterfaces()
        let serialPorts = discovery.serialCandidates()
        switch format {
        case .json:
            terminal.line(AdapterRendering.json(interfaces: interfaces, serialPorts: serialPorts))
        case .text:
            for line in AdapterRendering.text(interfaces: interfaces, serialPorts: serialPorts) { terminal.line(line) }
        }
        terminal.flush()
        guard watch else { return }
        if format == .text { terminal.diagnostic("watching for CAN adapters (Ctrl-C to stop)") }
        do {
            for try await event in discovery.events() {
                terminal.line(format == .json ? AdapterRendering.json(event) : AdapterRendering.text(event))
                terminal.flush()
            }
        } catch let error as SocketCANError {
            terminal.diagnostic("cardiag adapters: \(error)")
            throw ExitCode(ExitStatus.software.rawValue)
        }
    }
}

/// Text and JSON for adapters; pure functions of the discovered values.
enum AdapterRendering {
    static let attachHint =
        "serial (slcan) adapters become CAN interfaces with: "
        + "sudo slcand -o -s6 -t hw -S 3000000 /dev/ttyACM0 can0 && sudo ip link set can0 up"

    static func text(interfaces: [CANAdapter], serialPorts: [SerialAdapterCandidate]) -> [String] {
        var lines: [String] = []
        if interfaces.isEmpty {
            lines.append("no CAN interfaces")
            lines.append("  plug in a USB-CAN adapter (candleLight/gs_usb, PCAN-USB, Kvaser), or attach a serial one;")
            lines.append("  " + attachHint)
        } else {
            var table = [["INTERFACE", "DRIVER", "STATE", "BITRATE", "TX/RX ERR", "RESTART-MS", "HARDWARE"]]
            for adapter in interfaces {
                let link = adapter.link
                table.append([
                    adapter.interface, adapter.driver ?? (adapter.isVirtual ? "virtual" : "?"),
                    link?.state?.description ?? "-", link?.bitrate.map(String.init) ?? "-",
                    link?.errorCounters.map { "\($0.transmit)/\($0.receive)" } ?? "-",
                    link?.restartDelay.map {
                        String($0.components.seconds * 1000 + $0.components.attoseconds / 1_000_000_000_000_000)
                    } ?? "-",
                    adapter.hardwareDescription,
                ])
            }
            lines += aligned(table)
            for adapter in interfaces {
                if let usb = adapter.usb {
                    var text = "  \(adapter.interface): USB \(usb.idText)"
                    if let product = usb.product { text += " \(usb.manufacturer.map { $0 + " " } ?? "")\(product)" }
                    if let serial = usb.serialNumber { text += ", serial \(serial)" }
                    lines.append(text)
                }
                if let advice = adapter.link?.state?.advice {
                    lines.append("  \(adapter.interface): " + advice.replacing("IFACE", with: adapter.interface))
                }
            }
        }
        if !serialPorts.isEmpty {
            lines.append("")
            lines.append("USB serial ports that may be CAN adapters (slcan or ELM327):")
            for port in serialPorts {
                var text = "  \(port.devicePath)"
                if let usb = port.usb { text += "  USB \(usb.idText)" + (usb.product.map { " \($0)" } ?? "") }
                if let likely = port.likelyAdapter { text += "  (\(likely))" }
                lines.append(text)
                lines.append("    if slcan: " + port.attachCommand())
            }
        }
        return lines
    }

    static func text(_ event: CANAdapterEvent) -> String {
        switch event {
        case .added(let adapter):
            var text = "+ \(adapter.interface) \(adapter.driver ?? "?")"
            if let usb = adapter.usb { text += " USB \(usb.idText)" }
            if let state = adapter.link?.state { text += " \(state)" }
            return text
        case .removed(let interface):
            return "- \(interface) removed"
        }
    }

    static func json(interfaces: [CANAdapter], serialPorts: [SerialAdapterCandidate]) -> String {
        let items = interfaces.map(json(adapter:))
        let ports = serialPorts.map { port in
            object([
                ("device", string(port.devicePath)), ("usb", port.usb.map(json(usb:)) ?? "null"),
                ("likely", port.likelyAdapter.map(string) ?? "null"), ("attach", string(port.attachCommand())),
            ])
        }
        return object([
            ("schema", string("cardiag.adapters/1")), ("interfaces", "[" + items.joined(separator: ",") + "]"),
            ("serialPorts", "[" + ports.joined(separator: ",") + "]"),
        ])
    }

    static func json(_ event: CANAdapterEvent) -> String {
        switch event {
        case .added(let adapter):
            return object([
                ("schema", string("cardiag.adapters.event/1")), ("event", string("added")),
                ("adapter", json(adapter: adapter)),
            ])
        case .removed(let interface):
            return object([
                ("schema", string("cardiag.adapters.event/1")), ("event", string("removed")),
                ("interface", string(interface)),
            ])
        }
    }

    static func json(adapter: CANAdapter) -> String {
        let link = adapter.link
        return object([
            ("interface", string(adapter.interface)), ("driver", adapter.driver.map(string) ?? "null"),
            ("virtual", adapter.isVirtual ? "true" : "false"), ("hardware", string(adapter.hardwareDescription)),
            ("usb", adapter.usb.map(json(usb:)) ?? "null"),
            ("state", link?.state.map { string($0.description) } ?? "null"),
            ("bitrate", link?.bitrate.map { String($0) } ?? "null"),
            ("txErrors", link?.errorCounters.map { String($0.transmit) } ?? "null"),
            ("rxErrors", link?.errorCounters.map { String($0.receive) } ?? "null"),
            (
                "restartMs",
                link?.restartDelay.map {
                    String($0.components.seconds * 1000 + $0.components.attoseconds / 1_000_000_000_000_000)
                } ?? "null"
            ),
        ])
    }

    static func json(usb: USBDeviceInfo) -> String {
        object([
            ("vendorID", string(hex4(usb.vendorID))), ("productID", string(hex4(usb.productID))),
            ("serial", usb.serialNumber.map(string) ?? "null"),
            ("manufacturer", usb.manufacturer.map(string) ?? "null"),
            ("product", usb.product.map(string) ?? "null"),
        ])
    }

    static func hex4(_ value: UInt16) -> String { String(usbID: value) }

    static func object(_ members: [(String, String)]) -> String {
        "{" + members.map { string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    /// A JSON string literal with the escapes RFC 8259 §7 requires.
    static func string(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            case _ where scalar.value < 0x20:
                result += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    static func aligned(_ rows: [[String]]) -> [String] {
        let widths = (0..<(rows.first?.count ?? 0)).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
            }.joined(separator: "  ")
        }
    }
}

extension String {
    fileprivate init(usbID value: UInt16) {
        let text = String(value, radix: 16)
        self = String(repeating: "0", count: 4 - text.count) + text
    }

}
