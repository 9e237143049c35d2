// swift-tools-version:6.2
// Micro-benchmarks of CarDiag's hot loops (candump line parser, reader fast path, ISO-TP flow tracker, 0x19
// decoder), run by `make bench` through package-benchmark's plugin: `swift package benchmark` here. A separate
// package so that `make test` never builds the benchmark dependencies.
import PackageDescription

let package = Package(
    name: "CarDiagBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "CarDiag", path: ".."),
        .package(url: "https://github.com/ordo-one/package-benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "HotLoops",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "CANCore", package: "CarDiag"),
                .product(name: "CANLog", package: "CarDiag"),
                .product(name: "ISOTP", package: "CarDiag"),
                .product(name: "UDS", package: "CarDiag"),
            ],
            path: "Benchmarks/HotLoops",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        .executableTarget(
            name: "DecodeLoop",
            dependencies: [
                .product(name: "CANLog", package: "CarDiag"),
                .product(name: "Diagnostics", package: "CarDiag"),
            ],
            path: "DecodeLoop"
        ),
    ]
)
