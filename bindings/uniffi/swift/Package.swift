// swift-tools-version:5.9
// The Swift package of qualys-cs: the generated uniffi sources (Sources/QualysCs: one file per
// Rust crate, the models being the core's and the client's own; Sources/QualysCs*FFI: their C
// headers; regenerate with bindings/uniffi/test.sh --update) over the Rust library
// libqualys_cs_uniffi.
//
// Build the library first (`cargo build -p qualys-cs-uniffi`), then point QUALYS_CS_LIB_DIR at
// the folder holding it (bindings/uniffi/test.sh does both):
//   QUALYS_CS_LIB_DIR=$PWD/../../../target/debug swift test
import Foundation
import PackageDescription

let libDir = ProcessInfo.processInfo.environment["QUALYS_CS_LIB_DIR"]
    ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../target/debug").standardized.path

let linkRust: [LinkerSetting] = [
    .unsafeFlags(["-L", libDir, "-Xlinker", "-rpath", "-Xlinker", libDir]),
]

let package = Package(
    name: "QualysCs",
    platforms: [.macOS(.v12), .iOS(.v15)],
    products: [
        .library(name: "QualysCs", targets: ["QualysCs"]),
    ],
    targets: [
        // The C interfaces; QualysCsFFI's module.modulemap links libqualys_cs_uniffi.
        .systemLibrary(name: "QualysCsFFI", path: "Sources/QualysCsFFI"),
        .systemLibrary(name: "QualysCsCoreFFI", path: "Sources/QualysCsCoreFFI"),
        .systemLibrary(name: "QualysCsClientFFI", path: "Sources/QualysCsClientFFI"),
        .target(
            name: "QualysCs",
            dependencies: ["QualysCsFFI", "QualysCsCoreFFI", "QualysCsClientFFI"],
            path: "Sources/QualysCs",
            linkerSettings: linkRust
        ),
        .testTarget(
            name: "QualysCsTests",
            dependencies: ["QualysCs"],
            path: "Tests/QualysCsTests",
            linkerSettings: linkRust
        ),
    ]
)
