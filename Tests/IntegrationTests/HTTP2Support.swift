import Glibc
import PayhookCore
import Testing

/// Runs a client tool to completion; its stdout and exit status.
func runTool(_ argv: [String], timeoutMs: Int = 60_000) throws -> (status: Int32, out: String) {
    let dir = DaemonProcess.makeTempDir()
    // This process's PATH and HOME: python3 is the one scripts/ensure-pip installed `h2` for.
    let home = getenv("HOME").map { String(cString: $0) } ?? "/root"
    let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
    let env = ["PATH": path, "HOME": home]
    let pid = try DaemonProcess.spawn(argv, env: env, stderrPath: dir + "/err", stdoutPath: dir + "/out")
    var status: Int32 = 0
    let deadline = monotonicMs() + timeoutMs
    while waitpid(pid, &status, WNOHANG) == 0 {
        if monotonicMs() > deadline {
            kill(pid, SIGKILL)
            waitpid(pid, &status, 0)
            break
        }
        usleep(10_000)
    }
    let out = (try? DaemonProcess.readFile(dir + "/out")) ?? ""
    let err = (try? DaemonProcess.readFile(dir + "/err")) ?? ""
    return (status, out + (err.isEmpty ? "" : "\nstderr: " + err))
}

func monotonicMs() -> Int {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return ts.tv_sec * 1000 + ts.tv_nsec / 1_000_000
}

/// One `curl --http2-prior-knowledge` exchange: status, protocol version and body.
struct CurlAnswer {
    var status: Int
    var version: String
    var body: String
}

func curlH2(_ url: String, method: String = "GET", headers: [(String, String)] = [], bodyFile: String? = nil) throws -> CurlAnswer {
    var argv = ["/usr/bin/curl", "-sS", "--http2-prior-knowledge", "-X", method, "-w", "\n%{http_code} %{http_version}"]
    for (k, v) in headers { argv += ["-H", "\(k): \(v)"] }
    if let bodyFile { argv += ["--data-binary", "@" + bodyFile] }
    let (_, out) = try runTool(argv + [url])
    let lines = out.split(separator: "\n", omittingEmptySubsequences: false)
    let last = lines.last { $0.contains(" ") && Int($0.split(separator: " ")[0]) != nil } ?? ""
    let parts = last.split(separator: " ")
    let body = lines.prefix { $0 != last }.joined(separator: "\n")
    return CurlAnswer(status: Int(parts.first ?? "") ?? 0, version: parts.count > 1 ? String(parts[1]) : "", body: body)
}

/// `Tests/Scripts/h2abuse.py CASE ADDRESS [N]`: its JSON verdict.
func h2Abuse(_ name: String, _ address: String, _ n: Int? = nil) throws -> JSONValue {
    let script = #filePath.replacingSuffix("/IntegrationTests/HTTP2Support.swift") + "/Scripts/h2abuse.py"
    let (_, out) = try runTool(["/usr/bin/env", "python3", script, name, address] + (n.map { [String($0)] } ?? []))
    let line = out.split(separator: "\n").first { $0.hasPrefix("{") } ?? ""
    return try #require(try? JSONParser.parse(Array(line.utf8)), "h2abuse \(name): \(out)")
}
