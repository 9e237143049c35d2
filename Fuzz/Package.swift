// swift-tools-version:6.2
// CarDiag's libFuzzer harnesses: a package of its own, so that building CarDiag never builds a fuzzer.
// Build and run with `make fuzz` (Fuzz/run); the harness bodies in Sources/Harnesses are also compiled into
// the root package's RobustnessTests, which replay Fixtures/fuzz/ without libFuzzer.
import Foundation
import PackageDescription

// A path dependency is known by its folder name, which depends on the checkout (`main`, a worktree...).
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let carDiag = root.lastPathComponent

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "CarDiagFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "..")],
    targets: [
        .target(
            name: "Harnesses",
            dependencies: ["CANCore", "CANLog", "DTC", "ISOTP", "UDS", "KWP", "OBD", "Diagnostics", "Interpretation"]
                .map {
                    .product(name: $0, package: carDiag)
                },
            swiftSettings: strict),
        // Linked with -sanitize=fuzzer (libFuzzer's main); see Fuzz/run.
        .executableTarget(name: "cardiag-fuzz", dependencies: ["Harnesses"], swiftSettings: strict),
    ]
)
