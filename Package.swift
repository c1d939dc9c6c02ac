// swift-tools-version: 6.2
import PackageDescription

// The numeric library is compiled with optimisation even in the debug configuration:
// `swift run gradfuzz` builds debug, and unoptimised numeric Swift is ~30× slower.
let optimized: [SwiftSetting] = [.unsafeFlags(["-O"])]

let package = Package(
    name: "gradfuzz",
    products: [
        .library(name: "GradFuzz", targets: ["GradFuzz"]),
        .executable(name: "gradfuzz", targets: ["gradfuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CGSL",
            pkgConfig: "gsl",
            providers: [.apt(["libgsl-dev"])]
        ),
        // The oracle's four-lane sums, in C for AVX (chosen at run time); -O2 in debug builds too.
        .target(name: "CLaneKernels", cSettings: [.unsafeFlags(["-O2"])]),
        .target(
            name: "GradFuzz",
            dependencies: [
                "CGSL",
                "CLaneKernels",
                .product(name: "RealModule", package: "swift-numerics"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            swiftSettings: optimized
        ),
        .executableTarget(
            name: "gradfuzz",
            dependencies: [
                "GradFuzz",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "GradFuzzTests",
            dependencies: ["GradFuzz"]
        ),
    ]
)
