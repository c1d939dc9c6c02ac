// swift-tools-version: 6.2
import PackageDescription

// A Swift student of the assignment, checked by gradfuzz's library with no process in between.
let package = Package(
    name: "swift-student",
    dependencies: [.package(name: "gradfuzz", path: "../..")],
    targets: [
        .executableTarget(name: "swift-student", dependencies: [.product(name: "GradFuzz", package: "gradfuzz")]),
    ]
)
