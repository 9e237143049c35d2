// swift-tools-version:6.2
// A health check against the virtual vehicle: no car and no CAN adapter needed. Depends on CarDiag by path; an
// application would write `.package(url: "https://…/CarDiag.git", from: "0.1.0")` instead.
import PackageDescription

let package = Package(
    name: "HealthCheck",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "CarDiag", path: "../..")],
    targets: [
        .executableTarget(
            name: "health-check",
            dependencies: [
                .product(name: "CANCore", package: "CarDiag"),
                .product(name: "Diagnostics", package: "CarDiag"),
                .product(name: "VirtualVehicle", package: "CarDiag"),
            ])
    ]
)
