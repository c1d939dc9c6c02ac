// swift-tools-version: 6.2
import PackageDescription

// A Swift student of the assignment. It needs only gradfuzz's core (the network, the problem and
// the `BackpropImplementation` protocol): no GSL, no subprocess library.
let package = Package(
    name: "swift-student",
    dependencies: [.package(name: "gradfuzz", path: "../..")],
    targets: [
        .executableTarget(name: "swift-student", dependencies: [.product(name: "GradFuzzCore", package: "gradfuzz")]),
    ]
)
