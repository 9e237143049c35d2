// swift-tools-version:6.2
// CarDiag: vehicle diagnostic trouble codes from CAN to a fix path. Layers and rules: DESIGN.md in the
// project's shared folder; imports point down the stack only.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "CarDiag",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "cardiag", targets: ["cardiag"]),
        .library(name: "CANCore", targets: ["CANCore"]),
        .library(name: "CANLog", targets: ["CANLog"]),
        .library(name: "ISOTP", targets: ["ISOTP"]),
        .library(name: "DTC", targets: ["DTC"]),
        .library(name: "UDS", targets: ["UDS"]),
        .library(name: "KWP", targets: ["KWP"]),
        .library(name: "OBD", targets: ["OBD"]),
        .library(name: "Diagnostics", targets: ["Diagnostics"]),
        .library(name: "Interpretation", targets: ["Interpretation"]),
        .library(name: "SocketCAN", targets: ["SocketCAN"]),
        .library(name: "VirtualVehicle", targets: ["VirtualVehicle"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
    ],
    targets: [
        // Vocabulary: frames, ids, the transport protocol. Imports nothing of ours.
        .target(name: "CANCore", swiftSettings: strict),
        // System zlib, for gzip-compressed logs.
        .systemLibrary(
            name: "CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),
        // Log readers and writers: candump, GVRET CSV, pcap/pcapng, Vector ASC, gzip.
        // Byte classes 16 at a time (SSE2) for the candump skimmer; header-only, so the loop inlines it.
        .target(name: "CByteScan"),
        .target(
            name: "CANLog", dependencies: ["CANCore", "CZlib", "CByteScan"],
            // LogReader is a final class whose buffer window (start, end, scan position, counts) its own methods
            // change line after line on one thread. Release builds skip the run-time exclusivity check on those
            // properties: callgrind put it at a quarter of a GVRET CSV decode (3788 -> 2792 instructions per
            // frame) and 8% of a candump one. Debug builds, which every test tier runs, keep it.
            swiftSettings: strict + [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]),
        // ISO 15765-2 transport: codec, state machines without I/O, passive flow tracker, channel.
        .target(name: "ISOTP", dependencies: ["CANCore"], swiftSettings: strict),
        // SAE J2012 / ISO 14229 DTC model. Imports nothing of ours.
        .target(name: "DTC", swiftSettings: strict),
        // ISO 14229 UDS, KWP2000 on CAN and SAE J1979 OBD-II codecs.
        .target(name: "UDS", dependencies: ["DTC"], swiftSettings: strict),
        .target(name: "KWP", dependencies: ["DTC"], swiftSettings: strict),
        .target(name: "OBD", dependencies: ["DTC"], swiftSettings: strict),
        // Diagnostic conversations into findings: the report model, vehicle profiles (address maps), the
        // passive decoder for logs and, later, the live client.
        .target(
            name: "Diagnostics", dependencies: ["CANCore", "DTC", "ISOTP", "UDS", "KWP", "OBD", "Interpretation"],
            swiftSettings: strict),
        // Knowledge base (data, with sources) and whole-vehicle triage.
        .target(
            name: "Interpretation", dependencies: ["DTC"],
            // The JSON under KnowledgeBase/ is the source of truth; Tools/generate-knowledge-base embeds it
            // in BuiltInKnowledgeBase.swift so a copied binary still has it (Bundle.module would not).
            exclude: ["KnowledgeBase"], swiftSettings: strict),
        // Linux kernel CAN headers with shims for CMSG_* and macro constants; libudev; libsocketcan.
        .target(name: "CLinuxCAN"),
        .systemLibrary(name: "CUdev", pkgConfig: "libudev", providers: [.apt(["libudev-dev"])]),
        .systemLibrary(name: "CLibSocketCAN", pkgConfig: "libsocketcan", providers: [.apt(["libsocketcan-dev"])]),
        // SocketCAN: raw and kernel ISO-TP sockets, adapter discovery, link state. The only module that touches
        // the kernel's CAN stack.
        .target(
            name: "SocketCAN", dependencies: ["CANCore", "CLinuxCAN", "CUdev", "CLibSocketCAN"],
            swiftSettings: strict),
        // ECUs that serve a scenario file over any CANTransport: tests, `cardiag demo`, `cardiag simulate`.
        .target(name: "VirtualVehicle", dependencies: ["CANCore", "DTC", "ISOTP"], swiftSettings: strict),
        // The command-line tool: thin commands, one renderer; the composition root.
        .executableTarget(
            name: "cardiag",
            dependencies: [
                "CANCore", "CANLog", "ISOTP", "DTC", "UDS", "KWP", "OBD", "Diagnostics", "Interpretation", "SocketCAN",
                "VirtualVehicle", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict),

        // Test-only driver for the VM test tier (Tests/vm), run inside a VM against can-utils. Not a product.
        .executableTarget(
            name: "cardiag-vm-probe", dependencies: ["CANCore", "ISOTP", "SocketCAN"], swiftSettings: strict),

        // Benchmark (not a test): a 30-ECU health check at several concurrency levels. `make bench` can run it.
        .executableTarget(
            name: "cardiag-bench-scan", dependencies: ["CANCore", "Diagnostics", "VirtualVehicle"],
            path: "Benchmarks/ScanConcurrency", swiftSettings: strict),
        // The fuzz harness bodies (Fuzz/Sources/Harnesses, also built with libFuzzer by the Fuzz package), for
        // RobustnessTests to replay Fixtures/fuzz/ without libFuzzer.
        .target(
            name: "FuzzHarnesses",
            dependencies: ["CANCore", "CANLog", "DTC", "ISOTP", "UDS", "KWP", "OBD", "Diagnostics", "Interpretation"],
            path: "Fuzz/Sources/Harnesses", swiftSettings: strict),
        // Running child processes (the built `cardiag`, Python peers) and finding the package root, for tests.
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(
            name: "RobustnessTests",
            dependencies: [
                "CANCore", "CANLog", "DTC", "ISOTP", "UDS", "Diagnostics", "Interpretation", "FuzzHarnesses", "cardiag",
                "TestSupport",
            ],
            exclude: ["Golden"], swiftSettings: strict),

        .testTarget(name: "CANCoreTests", dependencies: ["CANCore"], swiftSettings: strict),
        .testTarget(name: "CANLogTests", dependencies: ["CANCore", "CANLog"], swiftSettings: strict),
        .testTarget(name: "ISOTPTests", dependencies: ["CANCore", "ISOTP", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "DTCTests", dependencies: ["DTC"], swiftSettings: strict),
        .testTarget(name: "CodecTests", dependencies: ["DTC", "UDS", "KWP", "OBD"], swiftSettings: strict),
        .testTarget(name: "SocketCANTests", dependencies: ["CANCore", "SocketCAN"], swiftSettings: strict),
        .testTarget(
            name: "DiagnosticsTests",
            dependencies: [
                "CANCore", "CANLog", "DTC", "ISOTP", "KWP", "Diagnostics", "Interpretation", "VirtualVehicle", "TestSupport",
            ],
            swiftSettings: strict),
        .testTarget(
            name: "VirtualVehicleTests", dependencies: ["CANCore", "ISOTP", "DTC", "VirtualVehicle"],
            swiftSettings: strict),
        .testTarget(name: "InterpretationTests", dependencies: ["DTC", "Interpretation"], swiftSettings: strict),
        // Golden files are read from the source tree (#filePath), not bundled. The explain tests also run the
        // built `cardiag` binary, which `swift test` builds next to the test bundle.
        .testTarget(
            name: "cardiagTests", dependencies: ["CANCore", "CANLog", "DTC", "Interpretation", "TestSupport", "cardiag"],
            exclude: ["Golden"], swiftSettings: strict),
    ]
)
