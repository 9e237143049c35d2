// swift-tools-version:6.2
// Explain a trouble code with the built-in knowledge base and a shop's own overlay. Needs no CAN stack at all.
// Depends on CarDiag by path; an application would write `.package(url: "https://…/CarDiag.git",
// from: "0.1.0")` instead.
import PackageDescription

let package = Package(
    name: "ExplainCode",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "CarDiag", path: "../..")],
    targets: [
        .executableTarget(
            name: "explain-code",
            dependencies: [
                .product(name: "DTC", package: "CarDiag"),
                .product(name: "Interpretation", package: "CarDiag"),
            ])
    ]
)
