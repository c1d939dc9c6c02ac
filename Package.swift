// swift-tools-version: 6.2
import PackageDescription

// Layered like swift-numerics: each library depends only on the ones above it in this list, and
// `GradFuzz` re-exports them all.
//
//   GradFuzzCore       the network, the reference backprop, verdicts (no Foundation, no GSL)
//   GradFuzzOracle     GSL's numerical derivatives of the cost (the only target that links GSL)
//   GradFuzzMutants    the catalog of backprop mistakes and the diagnosis
//   GradFuzzFixtures   the fixture format, its files, the curated set
//   GradFuzzJudging    one way to judge an answer: shapes, entries, cost; the outcome; the diagnosis
//   GradFuzzFuzzing    the case generator, the shrinker, the fuzzer
//   GradFuzzStudents   the student protocol, the student process, validation (fixtures, exam, a short fuzz) and grader reports
//   GradFuzzReport     the HTML report of validate, replay and fuzz (self-contained pages)
//
// The targets with hot numeric code are compiled with optimisation even in the debug
// configuration: `swift run gradfuzz` builds debug, and unoptimised numeric Swift is ~30× slower.
let optimized: [SwiftSetting] = [.unsafeFlags(["-O"])]
let numerics = Target.Dependency.product(name: "RealModule", package: "swift-numerics")

let package = Package(
    name: "gradfuzz",
    products: [
        .library(name: "GradFuzzCore", targets: ["GradFuzzCore"]),
        .library(name: "GradFuzz", targets: ["GradFuzz"]),
        .executable(name: "gradfuzz", targets: ["gradfuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.0"),
    ],
    targets: [
        .systemLibrary(name: "CGSL", pkgConfig: "gsl", providers: [.apt(["libgsl-dev"])]),
        // The oracle's four-lane sums, in C for AVX (chosen at run time); -O2 in debug builds too.
        .target(name: "CLaneKernels", cSettings: [.unsafeFlags(["-O2"])]),
        // What Swift cannot call safely: C's stdout, and a student's process supervised from fork to exec.
        .target(name: "CGradFuzzSystem"),
        .target(name: "GradFuzzCore", dependencies: [numerics], swiftSettings: optimized),
        .target(name: "GradFuzzOracle", dependencies: ["GradFuzzCore", "CGSL", "CLaneKernels", numerics],
                swiftSettings: optimized),
        .target(name: "GradFuzzMutants", dependencies: ["GradFuzzCore", numerics], swiftSettings: optimized),
        .target(name: "GradFuzzFixtures", dependencies: ["GradFuzzCore", "GradFuzzOracle"]),
        .target(name: "GradFuzzJudging", dependencies: ["GradFuzzCore", "GradFuzzOracle", "GradFuzzMutants"]),
        .target(name: "GradFuzzFuzzing",
                dependencies: ["GradFuzzCore", "GradFuzzOracle", "GradFuzzMutants", "GradFuzzFixtures", "GradFuzzJudging", numerics],
                swiftSettings: optimized),
        .target(name: "GradFuzzStudents",
                dependencies: ["GradFuzzCore", "GradFuzzOracle", "GradFuzzMutants", "GradFuzzFixtures", "GradFuzzJudging", "GradFuzzFuzzing",
                               "CGradFuzzSystem"]),
        .target(name: "GradFuzzReport",
                dependencies: ["GradFuzzCore", "GradFuzzOracle", "GradFuzzMutants", "GradFuzzFixtures", "GradFuzzJudging",
                               "GradFuzzFuzzing", "GradFuzzStudents"]),
        .target(name: "GradFuzz",
                dependencies: ["GradFuzzCore", "GradFuzzOracle", "GradFuzzMutants", "GradFuzzFixtures", "GradFuzzJudging",
                               "GradFuzzFuzzing", "GradFuzzStudents", "GradFuzzReport"]),
        .executableTarget(name: "gradfuzz",
                          dependencies: ["GradFuzz", "CGradFuzzSystem", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .target(name: "GradFuzzTestSupport", dependencies: ["GradFuzz", "CGSL"], path: "Tests/GradFuzzTestSupport"),
        .testTarget(name: "GradFuzzTests", dependencies: ["GradFuzz", "GradFuzzTestSupport"]),
    ]
)
