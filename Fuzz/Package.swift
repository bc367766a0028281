// swift-tools-version:6.0
// Fuzz targets for payhookd, kept out of the main package so that fuzzing flags and libFuzzer
// never touch the main build. The library sources are the main package's own, reached through
// the symlinks in Shared/ (a path dependency would name the package after its checkout folder).
//
//   swift build --sanitize fuzzer --sanitize address \
//       -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table --product fuzz-http1
//   SWIFT_BACKTRACE=enable=no .build/debug/fuzz-http1 corpus/http1
//
// or simply `make fuzz` (scripts/fuzz.sh) from the repository root.
import PackageDescription

let package = Package(
    name: "payhookd-fuzz",
    targets: [
        .target(name: "PayhookCore", path: "Shared/PayhookCore"),
        .target(name: "PayhookHTTP1", dependencies: ["PayhookCore"], path: "Shared/PayhookHTTP1"),
        // libFuzzer provides main(); the target only exports LLVMFuzzerTestOneInput.
        .executableTarget(
            name: "fuzz-http1", dependencies: ["PayhookHTTP1"],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
        .executableTarget(
            name: "fuzz-http1-response", dependencies: ["PayhookHTTP1"],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
        .systemLibrary(name: "CCrypto", path: "Shared/CCrypto", pkgConfig: "libcrypto"),
        .target(name: "PayhookProviders", dependencies: ["PayhookCore", "CCrypto"], path: "Shared/PayhookProviders"),
        .executableTarget(
            name: "fuzz-providers", dependencies: ["PayhookProviders"],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
        // The config's TOML parser: only its own folder of PayhookDaemon, which needs only Core.
        .target(name: "PayhookTOML", dependencies: ["PayhookCore"], path: "Shared/PayhookTOML"),
        .executableTarget(
            name: "fuzz-toml", dependencies: ["PayhookTOML"],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
    ]
)
