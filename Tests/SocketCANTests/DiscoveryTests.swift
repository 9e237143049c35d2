import Testing

@testable import SocketCAN

/// Adapter discovery decisions, from udev/sysfs records as libudev reports them.
@Suite struct DiscoveryTests {
    @Test func candleLightOnUSB() throws {
        let record = CANAdapterDiscovery.DeviceRecord(
            name: "can0", typeAttribute: "280\n", parentDriver: "gs_usb", netDriverProperty: "gs_usb",
            devicePath: "/devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/net/can0",
            usbAttributes: [
                "idVendor": "1d50\n", "idProduct": "606f\n", "serial": "003A00425734570920393235\n",
                "manufacturer": "bytewerk", "product": "candleLight USB to CAN adapter",
            ])
        let adapter = try #require(CANAdapterDiscovery.adapter(from: record))
        #expect(adapter.interface == "can0")
        #expect(adapter.driver == "gs_usb")
        #expect(!adapter.isVirtual)
        #expect(adapter.usb?.vendorID == 0x1D50)
        #expect(adapter.usb?.productID == 0x606F)
        #expect(adapter.usb?.idText == "1d50:606f")
        #expect(adapter.usb?.serialNumber == "003A00425734570920393235")
        #expect(adapter.hardwareDescription == "candleLight / CANable / Geschwister Schneider USB (gs_usb)")
    }

    @Test func virtualCANUsesTheUdevDriverProperty() throws {
        let record = CANAdapterDiscovery.DeviceRecord(
            name: "vcan0", typeAttribute: "280", parentDriver: nil, netDriverProperty: "vcan",
            devicePath: "/devices/virtual/net/vcan0", usbAttributes: [:])
        let adapter = try #require(CANAdapterDiscovery.adapter(from: record))
        #expect(adapter.driver == "vcan")
        #expect(adapter.isVirtual)
        #expect(adapter.usb == nil)
    }

    @Test(arguments: ["1", "772", "", "28O"])
    func otherInterfaceTypesAreNotCAN(_ type: String) {
        let record = CANAdapterDiscovery.DeviceRecord(
            name: "eth0", typeAttribute: type, parentDriver: "e1000e", netDriverProperty: nil,
            devicePath: "/devices/pci0000:00/net/eth0", usbAttributes: [:])
        #expect(CANAdapterDiscovery.adapter(from: record) == nil)
    }

    @Test(arguments: [
        (["idVendor": "1d50", "idProduct": "606f"], true),
        (["idVendor": "1d5", "idProduct": "606f"], false),
        (["idVendor": "zz50", "idProduct": "606f"], false),
        (["idProduct": "606f"], false),
    ])
    func usbIdsMustBeFourHexDigits(_ attributes: [String: String], _ valid: Bool) {
        #expect((USBDeviceInfo(sysfsAttributes: attributes) != nil) == valid)
    }

    @Test(arguments: [
        ("ttyACM0", true), ("ttyUSB12", true), ("ttyS0", false), ("ttyACM", false), ("ttyUSBx", false),
        ("tty1", false),
    ])
    func serialCandidates(_ name: String, _ expected: Bool) {
        #expect(SerialAdapterCandidate.isCandidate(ttyName: name) == expected)
    }

    @Test func serialCandidateHints() throws {
        let usb = try #require(USBDeviceInfo(sysfsAttributes: ["idVendor": "16d0", "idProduct": "117e"]))
        #expect(SerialAdapterCandidate.likelyAdapter(for: usb) == "CANable (slcan firmware)")
        let candidate = SerialAdapterCandidate(devicePath: "/dev/ttyACM0", usb: usb, likelyAdapter: nil)
        #expect(candidate.attachCommand().contains("slcand -o -s6 -t hw -S 3000000 /dev/ttyACM0 can0"))
        let unknown = try #require(USBDeviceInfo(sysfsAttributes: ["idVendor": "abcd", "idProduct": "0001"]))
        #expect(SerialAdapterCandidate.likelyAdapter(for: unknown) == nil)
    }

    @Test func interfacesSortNaturally() {
        let names = ["can10", "vcan0", "can2", "can0", "slcan0"]
        #expect(names.sorted(by: naturalOrder) == ["can0", "can2", "can10", "slcan0", "vcan0"])
    }

    @Test(arguments: [
        (Duration.zero, UInt8(0x00)), (.microseconds(100), 0xF1), (.microseconds(150), 0xF2),
        (.microseconds(900), 0xF9), (.microseconds(950), 0x01), (.milliseconds(1), 0x01), (.milliseconds(20), 0x14),
        (.milliseconds(127), 0x7F), (.seconds(1), 0x7F),
    ])
    func separationTimeByte(_ time: Duration, _ byte: UInt8) {
        #expect(KernelISOTPSocket.separationTimeByte(time) == byte)
    }

    @Test func linkStatusOfAMissingInterface() {
        #expect(throws: SocketCANError(.noSuchInterface, interface: "cardiagtest9")) {
            try CANLinkController().status(of: "cardiagtest9")
        }
        #expect(throws: SocketCANError(.noSuchInterface, interface: "cardiagtest9")) {
            try CANLinkController().setBitrate("cardiagtest9", bitsPerSecond: 500_000)
        }
    }
}

@Suite struct CapabilityTests {
    @Test(arguments: [
        ("Name:\tcardiag\nCapInh:\t0000000000000000\nCapEff:\t000001fffeffffff\n", true as Bool?),
        ("CapEff:\t0000000000000000\n", false),
        ("CapEff:\t0000000000001000\n", true),
        ("CapEff:\t0000000000000fff\n", false),
        ("Name:\tx\n", nil),
        ("CapEff:\tzz\n", nil),
    ])
    func netAdminFromProcStatus(_ text: String, _ expected: Bool?) {
        #expect(CANLinkController.hasNetworkAdminCapability(procStatus: text) == expected)
    }
}
