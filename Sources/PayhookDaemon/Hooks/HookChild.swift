import Glibc
import PayhookPosix

/// One run of a command hook, on the loop: the event JSON written to its stdin through a pipe
/// (non-blocking on our side), its stdout and stderr read from one pipe and kept up to
/// `maxOutputBytes` (the rest read and dropped), its exit seen through the pidfd. At the
/// deadline the whole process group is killed (grandchildren too), before the child is reaped.
final class HookChild {
    typealias Done = (_ result: Result<Void, HookFailure>, _ output: [UInt8]) -> Void

    /// Output kept for the journal; a child that prints megabytes costs this much, no more.
    static let maxOutputBytes = 4096

    private let loop: EventLoop
    let process: ChildProcess
    private var input: [UInt8]
    private var inputWritten = 0
    private var stdinFD: Int32
    private var outputFD: Int32
    private var registrations: [Int32: Registration] = [:]
    private(set) var output: [UInt8] = []
    private var timer: TimerID?
    private var done: Done?
    private var timedOut = false
    private var released = false

    init(loop: EventLoop, argv: [String], environment: [String], input: [UInt8], timeoutMs: Int64, done: @escaping Done) throws {
        self.loop = loop
        self.input = input
        self.done = done
        let stdin = try IO.pipe()
        let out: (read: Int32, write: Int32)
        do { out = try IO.pipe() } catch {
            IO.close(stdin.read)
            IO.close(stdin.write)
            throw error
        }
        defer {
            IO.close(stdin.read)
            IO.close(out.write)
        }
        do {
            try IO.setBlocking(stdin.read)
            try IO.setBlocking(out.write)
            process = try ChildProcess.spawn(argv: argv, environment: environment, stdin: stdin.read, stdout: out.write, stderr: out.write)
        } catch {
            IO.close(stdin.write)
            IO.close(out.read)
            throw error
        }
        stdinFD = stdin.write
        outputFD = out.read
        registrations[stdinFD] = try loop.register(fd: stdinFD, interest: .writable, handler: Pipe(self, stdinFD))
        registrations[outputFD] = try loop.register(fd: outputFD, interest: .readable, handler: Pipe(self, outputFD))
        registrations[process.pidfd] = try loop.register(fd: process.pidfd, interest: .readable, handler: Pipe(self, process.pidfd))
        let timer = loop.makeTimer { [unowned self] in
            timedOut = true
            try? process.signalGroup(SIGKILL)
        }
        self.timer = timer
        loop.schedule(timer, afterMs: timeoutMs)
    }

    /// Routes readiness of one of the child's descriptors.
    private final class Pipe: EventHandler {
        unowned let child: HookChild
        let fd: Int32
        init(_ child: HookChild, _ fd: Int32) {
            self.child = child
            self.fd = fd
        }
        func handle(_ events: IOEvents, loop: EventLoop) { child.ready(fd) }
    }

    private func ready(_ fd: Int32) {
        if fd == stdinFD { writeInput() } else if fd == outputFD { readOutput() } else { exited() }
    }

    private func writeInput() {
        do {
            let n = try input.withUnsafeBytes { try IO.write(stdinFD, from: UnsafeRawBufferPointer(rebasing: $0[inputWritten...])) }
            inputWritten += n ?? 0
        } catch {
            // A child that closed its stdin early (EPIPE) gets no more: that is its choice.
            inputWritten = input.count
        }
        if inputWritten >= input.count { closeFD(&stdinFD) }
    }

    private func readOutput() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n: Int?
        do { n = try buffer.withUnsafeMutableBytes { try IO.read(outputFD, into: $0) } } catch { return closeFD(&outputFD) }
        guard let got = n else { return }
        if got == 0 { return closeFD(&outputFD) }
        let room = Self.maxOutputBytes - output.count
        if room > 0 { output += buffer[..<min(got, room)] }
    }

    /// The pidfd fired: drain what output is left, reap, report.
    private func exited() {
        while outputFD >= 0 { readOutputDrain() }
        let termination = try? process.reap()
        finish(termination ?? nil)
    }

    private func readOutputDrain() {
        let before = outputFD
        readOutput()
        // No more bytes right now (a grandchild may hold the pipe): stop reading.
        if outputFD == before { closeFD(&outputFD) }
    }

    private func finish(_ termination: ChildProcess.Termination?) {
        let result: Result<Void, HookFailure>
        switch termination {
        case .exited(0)?: result = .success(())
        case .exited(let code)?: result = .failure(HookFailure(cause: .exit, message: "exit status \(code)"))
        case .signaled(let s)? where timedOut: result = .failure(HookFailure(cause: .timeout, message: "killed after the timeout (signal \(s))"))
        case .signaled(let s)?: result = .failure(HookFailure(cause: .exit, message: "killed by signal \(s)"))
        case nil: result = .failure(HookFailure(cause: .exit, message: "exit not seen"))
        }
        // The group may still hold grandchildren that outlived their parent: they go with it.
        try? process.signalGroup(SIGKILL)
        release()
        let done = self.done
        self.done = nil
        done?(result, output)
    }

    /// Kills the group and frees everything (shutdown or hook removed); no callback.
    func kill() {
        try? process.signalGroup(SIGKILL)
        _ = try? process.reap(block: true)
        done = nil
        release()
    }

    private func release() {
        guard !released else { return }
        released = true
        closeFD(&stdinFD)
        closeFD(&outputFD)
        if let reg = registrations.removeValue(forKey: process.pidfd) { loop.deregister(reg) }
        process.close()
        if let timer { loop.releaseTimer(timer) }
        timer = nil
    }

    private func closeFD(_ fd: inout Int32) {
        guard fd >= 0 else { return }
        if let reg = registrations.removeValue(forKey: fd) { loop.deregister(reg) }
        IO.close(fd)
        fd = -1
    }
}
