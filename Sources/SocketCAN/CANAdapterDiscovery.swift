import CLinuxCAN
import CUdev
import CANCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Finds CAN interfaces and USB serial ports through libudev (sysfs), and follows plug and unplug events.
public struct CANAdapterDiscovery: Sendable {
    /// The interface type of CAN network devices (`ARPHRD_CAN`, `/sys/class/net/*/type`).
    package static let canInterfaceType = 280

    private let systemCalls: SystemCalls
    private let links: CANLinkController

    /// A discovery reading the real sysfs and netlink.
    public init() {
        systemCalls = .live
        links = CANLinkController()
    }

    /// Every CAN network interface, sorted by name, each with its driver, USB device and link status.
    public func canInterfaces() -> [CANAdapter] {
        let records = Self.enumerate(subsystem: "net")
        return records.compactMap { record in
            guard var adapter = Self.adapter(from: record) else { return nil }
            if adapter.hasLinkSettings { adapter.link = try? links.status(of: adapter.interface) }
            return adapter
        }.sorted { naturalOrder($0.interface, $1.interface) }
    }

    /// USB serial ports that may be slcan or ELM327 adapters, sorted by device path.
    public func serialCandidates() -> [SerialAdapterCandidate] {
        Self.enumerate(subsystem: "tty").compactMap { record in
            guard SerialAdapterCandidate.isCandidate(ttyName: record.name) else { return nil }
            let usb = USBDeviceInfo(sysfsAttributes: record.usbAttributes)
            return SerialAdapterCandidate(
                devicePath: "/dev/" + record.name, usb: usb,
                likelyAdapter: SerialAdapterCandidate.likelyAdapter(for: usb))
        }.sorted { naturalOrder($0.devicePath, $1.devicePath) }
    }

    /// CAN interfaces appearing and going away, from udev's netlink monitor, until the consumer stops iterating.
    ///
    /// Listens to udevd's events when udevd runs (so device properties are complete) and to the kernel's
    /// otherwise. The monitor runs on a dedicated thread blocked in poll(2).
    public func events() -> AsyncThrowingStream<CANAdapterEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(
            of: CANAdapterEvent.self, throwing: (any Error).self, bufferingPolicy: .bufferingNewest(256))
        let wake: WakeSignal
        do {
            wake = try WakeSignal(systemCalls: systemCalls)
        } catch {
            continuation.finish(throwing: SocketCANError(error, interface: nil, operation: "watch for adapters"))
            return stream
        }
        let monitor = AdapterMonitor(wake: wake, links: links, systemCalls: systemCalls)
        continuation.onTermination = { _ in monitor.stop() }
        monitor.start(continuation)
        return stream
    }

    // MARK: - Pure conversion from a device record

    /// The attributes of one udev device that discovery needs, gathered so the decisions are pure functions.
    package struct DeviceRecord: Hashable, Sendable {
        /// The kernel name ("can0", "ttyACM0").
        package var name: String
        /// The `type` sysfs attribute of a net device ("280\n").
        package var typeAttribute: String?
        /// The driver of the nearest parent that has one ("gs_usb", "kvaser_pci").
        package var parentDriver: String?
        /// udev's `ID_NET_DRIVER` property (set by udevd for every net device, virtual ones too).
        package var netDriverProperty: String?
        /// The device path ("/devices/virtual/net/vcan0").
        package var devicePath: String
        /// sysfs attributes of the USB device above, if any.
        package var usbAttributes: [String: String]

        package init(
            name: String, typeAttribute: String?, parentDriver: String?, netDriverProperty: String?, devicePath: String,
            usbAttributes: [String: String]
        ) {
            self.name = name
            self.typeAttribute = typeAttribute
            self.parentDriver = parentDriver
            self.netDriverProperty = netDriverProperty
            self.devicePath = devicePath
            self.usbAttributes = usbAttributes
        }
    }

    /// The adapter a net device record describes, or nil when it is not a CAN interface.
    package static func adapter(from record: DeviceRecord) -> CANAdapter? {
        guard let type = record.typeAttribute?.trimmingWhitespace, Int(type) == canInterfaceType else { return nil }
        return CANAdapter(
            interface: record.name, driver: record.parentDriver ?? record.netDriverProperty,
            isVirtual: record.devicePath.hasPrefix("/devices/virtual/"),
            usb: USBDeviceInfo(sysfsAttributes: record.usbAttributes), link: nil)
    }

    // MARK: - libudev

    static func enumerate(subsystem: String) -> [DeviceRecord] {
        guard let udev = udev_new() else { return [] }
        defer { udev_unref(udev) }
        guard let enumerator = udev_enumerate_new(udev) else { return [] }
        defer { udev_enumerate_unref(enumerator) }
        udev_enumerate_add_match_subsystem(enumerator, subsystem)
        udev_enumerate_scan_devices(enumerator)
        var records: [DeviceRecord] = []
        var entry = udev_enumerate_get_list_entry(enumerator)
        while let current = entry {
            if let path = udev_list_entry_get_name(current),
                let device = udev_device_new_from_syspath(udev, path)
            {
                records.append(record(of: device))
                udev_device_unref(device)
            }
            entry = udev_list_entry_get_next(current)
        }
        return records
    }

    static func record(of device: OpaquePointer) -> DeviceRecord {
        func string(_ pointer: UnsafePointer<CChar>?) -> String? { pointer.map { String(cString: $0) } }
        var parentDriver: String?
        var parent = udev_device_get_parent(device)
        while let current = parent, parentDriver == nil {
            parentDriver = string(udev_device_get_driver(current))
            parent = udev_device_get_parent(current)
        }
        var usb: [String: String] = [:]
        if let usbDevice = udev_device_get_parent_with_subsystem_devtype(device, "usb", "usb_device") {
            for key in ["idVendor", "idProduct", "serial", "manufacturer", "product"] {
                usb[key] = string(udev_device_get_sysattr_value(usbDevice, key))
            }
        }
        return DeviceRecord(
            name: string(udev_device_get_sysname(device)) ?? "",
            typeAttribute: string(udev_device_get_sysattr_value(device, "type")),
            parentDriver: parentDriver,
            netDriverProperty: string(udev_device_get_property_value(device, "ID_NET_DRIVER")),
            devicePath: string(udev_device_get_devpath(device)) ?? "",
            usbAttributes: usb)
    }
}

/// The udev monitor behind ``CANAdapterDiscovery/events()``: a thread polling the monitor socket and a wake-up
/// eventfd. All libudev objects live and die on that thread.
private final class AdapterMonitor: Sendable {
    private let wake: WakeSignal
    private let links: CANLinkController
    private let systemCalls: SystemCalls
    private let thread = Locked<DedicatedThread?>(nil)

    init(wake: WakeSignal, links: CANLinkController, systemCalls: SystemCalls) {
        self.wake = wake
        self.links = links
        self.systemCalls = systemCalls
    }

    func start(_ continuation: AsyncThrowingStream<CANAdapterEvent, any Error>.Continuation) {
        thread.withLock { $0 = DedicatedThread { [self] in run(continuation) } }
    }

    /// Called when the consumer stops: wakes the thread, which then ends on its own.
    func stop() {
        wake.signal()
    }

    private func run(_ continuation: AsyncThrowingStream<CANAdapterEvent, any Error>.Continuation) {
        guard let udev = udev_new() else {
            return continuation.finish(throwing: SocketCANError(.systemError, interface: nil, operation: "udev_new"))
        }
        defer { udev_unref(udev) }
        // udevd's events carry complete properties; without udevd (containers, test VMs) take the kernel's.
        let source = access("/run/udev/control", F_OK) == 0 ? "udev" : "kernel"
        guard let monitor = udev_monitor_new_from_netlink(udev, source) else {
            return continuation.finish(
                throwing: SocketCANError(.notPermitted, interface: nil, operation: "open the udev monitor"))
        }
        defer { udev_monitor_unref(monitor) }
        udev_monitor_filter_add_match_subsystem_devtype(monitor, "net", nil)
        guard udev_monitor_enable_receiving(monitor) >= 0 else {
            return continuation.finish(
                throwing: SocketCANError(.notPermitted, interface: nil, operation: "listen to udev events"))
        }
        let monitorDescriptor = udev_monitor_get_fd(monitor)
        // Removal events no longer have sysfs attributes; remember which names were CAN interfaces.
        var known = Set(
            CANAdapterDiscovery.enumerate(subsystem: "net").compactMap {
                CANAdapterDiscovery.adapter(from: $0)?.interface
            })
        var polled = [
            pollfd(fd: monitorDescriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wake.descriptor, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            polled[0].revents = 0
            polled[1].revents = 0
            do {
                _ = try polled.withUnsafeMutableBufferPointer { buffer throws(SystemCallFailure) in
                    try systemCalls.call(.poll) { poll(buffer.baseAddress, 2, -1) }
                }
            } catch {
                return continuation.finish(
                    throwing: SocketCANError(error, interface: nil, operation: "watch for adapters"))
            }
            if polled[1].revents != 0 { return continuation.finish() }
            guard let device = udev_monitor_receive_device(monitor) else { continue }
            defer { udev_device_unref(device) }
            let action = udev_device_get_action(device).map { String(cString: $0) } ?? ""
            let record = CANAdapterDiscovery.record(of: device)
            switch action {
            case "add":
                guard var adapter = CANAdapterDiscovery.adapter(from: record) else { continue }
                known.insert(adapter.interface)
                if adapter.hasLinkSettings { adapter.link = try? links.status(of: adapter.interface) }
                continuation.yield(.added(adapter))
            case "remove":
                guard known.remove(record.name) != nil else { continue }
                continuation.yield(.removed(interface: record.name))
            default:
                continue
            }
        }
    }
}
