// swift-tools-version:6.0
// payhookd: a durable payment-webhook receiver. The target graph is the architecture:
//   C shims (CLinuxShim, CCrypto, CNGHTTP2) -> PayhookCore (no I/O)
//   PayhookHTTP1, PayhookProviders: pure, depend on Core only (+ libcrypto for digests)
//   PayhookPosix: the only module that performs syscalls
//   PayhookLog: the durable log (frames, segments, group commit, recovery, witnesses), built on
//     Posix; it knows nothing of payments: record bodies are opaque bytes to it
//   PayhookStore: what the log stores: the record codec, the indexes (dedup, payment status),
//     snapshots, the rejects store, `log dump`'s JSON
//   PayhookHooks: hook delivery (pure core; its cursor file through Posix)
//   PayhookDaemon: wiring, config, routes; payhookd: the CLI.
import PackageDescription

let package = Package(
    name: "payhookd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "payhookd", targets: ["payhookd"]),
        .executable(name: "payhookd-bench", targets: ["payhookd-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
    ],
    targets: [
        // Glibc's module lacks epoll, eventfd, timerfd, signalfd and accept4; this shim (built with
        // _GNU_SOURCE) exposes them, plus the hardware CRC32C instruction.
        .target(name: "CLinuxShim"),
        // OpenSSL's libcrypto: SHA-2, HMAC, RSA signature checks. Chosen over swift-crypto: no build
        // cost (the system library is prebuilt) and RSA verification without _CryptoExtras.
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // libnghttp2 frames HTTP/2 bytes; only PayhookHTTP2 imports it.
        .systemLibrary(name: "CNGHTTP2", pkgConfig: "libnghttp2", providers: [.apt(["libnghttp2-dev"])]),
        // NATS.c (JetStream publish, streams, KV); only PayhookNATS imports it.
        .systemLibrary(name: "CNATS", pkgConfig: "libnats", providers: [.apt(["libnats-dev"])]),

        .target(name: "PayhookCore"),
        .target(name: "PayhookHTTP1", dependencies: ["PayhookCore"]),
        // HTTP/2 framing on libnghttp2 (mem_recv/mem_send only: no sockets).
        .target(name: "PayhookHTTP2", dependencies: ["CNGHTTP2"]),
        .target(name: "PayhookProviders", dependencies: ["PayhookCore", "CCrypto"]),
        .target(name: "PayhookPosix", dependencies: ["PayhookCore", "CLinuxShim"]),
        // PayhookCore only for `Clock`: the log uses none of its payment types.
        .target(name: "PayhookLog", dependencies: ["PayhookCore", "PayhookPosix", "CLinuxShim"]),
        .target(name: "PayhookStore", dependencies: ["PayhookCore", "PayhookPosix", "PayhookLog", "CLinuxShim"]),
        // Hook delivery: filters, per-payment ordering, retries, the durable cursor, signing.
        .target(name: "PayhookHooks", dependencies: ["PayhookCore", "PayhookHTTP1", "PayhookProviders", "PayhookPosix", "CLinuxShim"]),
        // The NATS JetStream client: NATS.c's threads do the I/O; acks come back as callbacks.
        .target(name: "PayhookNATS", dependencies: ["CNATS"]),
        .target(
            name: "PayhookDaemon",
            dependencies: [
                "PayhookCore", "PayhookHTTP1", "PayhookHTTP2", "PayhookProviders", "PayhookPosix", "PayhookLog", "PayhookStore",
                "PayhookHooks", "PayhookNATS", "CLinuxShim",
            ]
        ),
        .executableTarget(
            name: "payhookd",
            dependencies: [
                "PayhookDaemon", "PayhookLog", "PayhookStore", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "payhookd-bench", dependencies: ["PayhookCore", "PayhookHTTP1", "PayhookPosix", "CLinuxShim"]),
        .executableTarget(
            name: "payhookd-logbench", dependencies: ["PayhookCore", "PayhookPosix", "PayhookLog", "PayhookStore", "CLinuxShim"]),

        .target(name: "TestSupport", dependencies: ["PayhookCore", "PayhookPosix", "CLinuxShim"], path: "Tests/TestSupport"),
        .testTarget(name: "PayhookCoreTests", dependencies: ["PayhookCore", "TestSupport"]),
        .testTarget(name: "PayhookHTTP1Tests", dependencies: ["PayhookHTTP1", "TestSupport"]),
        // CNGHTTP2 for its HPACK inflater only: the tests read the session's answers with it.
        .testTarget(name: "PayhookHTTP2Tests", dependencies: ["PayhookHTTP2", "CNGHTTP2"]),
        .testTarget(name: "PayhookProvidersTests", dependencies: ["PayhookProviders", "TestSupport"]),
        .testTarget(name: "PayhookPosixTests", dependencies: ["PayhookPosix", "TestSupport"]),
        .testTarget(name: "PayhookLogTests", dependencies: ["PayhookLog", "TestSupport"]),
        .testTarget(name: "PayhookStoreTests", dependencies: ["PayhookLog", "PayhookStore", "TestSupport"]),
        .testTarget(name: "PayhookHooksTests", dependencies: ["PayhookHooks", "PayhookHTTP1", "PayhookPosix", "TestSupport", "CLinuxShim"]),
        .testTarget(name: "PayhookDaemonTests", dependencies: ["PayhookDaemon", "TestSupport"]),
        .testTarget(name: "PayhookNATSTests", dependencies: ["PayhookNATS"]),
        .testTarget(name: "IntegrationTests", dependencies: ["TestSupport", "PayhookCore", "PayhookProviders", "PayhookNATS", "CLinuxShim"]),
    ]
)

// Release builds of our own modules leave out the dynamic exclusivity checks (every modify
// access to a class's stored property registered in a per-thread set): about a twentieth of a
// status query's instructions. Debug builds, which the test suite runs, keep them, so an
// overlapping access still traps there.
for target in package.targets where target.name.hasPrefix("Payhook") || target.name.hasPrefix("payhookd") {
    guard target.type == .regular || target.type == .executable else { continue }
    target.swiftSettings =
        (target.swiftSettings ?? []) + [
            .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))
        ]
}
