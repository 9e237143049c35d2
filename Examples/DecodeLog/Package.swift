// swift-tools-version:6.2
// Decode a captured CAN log and print what the Toyota DCM said. Depends on CarDiag by path; an application
// would write `.package(url: "https://…/CarDiag.git", from: "0.1.0")` instead.
import PackageDescription

let package = Package(
    name: "DecodeLog",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "CarDiag", path: "../..")],
    targets: [
        .executableTarget(
            name: "decode-log",
            dependencies: [
                .product(name: "CANLog", package: "CarDiag"),
                .product(name: "Diagnostics", package: "CarDiag"),
            ])
    ]
)
