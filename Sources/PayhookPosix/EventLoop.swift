import CLinuxShim
import Synchronization

/// Receives readiness events for one registered fd, on the loop thread.
public protocol EventHandler: AnyObject {
    func handle(_ events: IOEvents, loop: EventLoop)
}

/// A registered fd's place in the loop's table. Epoll's user data holds `slot | generation << 32`;
/// the generation is bumped when a slot is freed, so an event still queued for a closed (and
/// possibly reused) fd no longer matches and is dropped.
public struct Registration: Hashable, Sendable {
    public let slot: UInt32
    public let generation: UInt32
    var epollData: UInt64 { UInt64(generation) << 32 | UInt64(slot) }
}

/// The loop's errors that are not syscall failures.
public enum EventLoopError: Error, Equatable, Sendable {
    /// Every slot of the fixed table is in use.
    case tableFull(capacity: Int)
}

/// A single-threaded epoll loop in the spirit of redis' `ae.c`: a fixed table of registrations
/// sized at start, deadlines in a `TimerQueue` that set epoll's timeout, and an eventfd through
/// which other threads hand work to the loop. Everything except `LoopNotifier.notify` and
/// `LoopExecutor.execute` runs on the loop thread.
public final class EventLoop {
    private struct Entry {
        var generation: UInt32 = 0
        var fd: Int32 = -1
        var handler: (any EventHandler)? = nil
    }
    private let epoll: Epoll
    private var table: [Entry]
    private var freeSlots: [UInt32]
    private var timers = TimerQueue<() -> Void>()
    private let wakeFD: EventFD
    private let inbox: Inbox
    private var stopped = false
    /// Monotonic time of the current iteration in milliseconds (read once per iteration).
    public private(set) var nowMs: Int64
    private let clock: () -> Int64

    /// Slot reserved for the wakeup eventfd (its data word is recognized before table lookup).
    private static let wakeData: UInt64 = UInt64.max

    /// - Parameter capacity: registrations at most (connections + listeners + internal fds).
    public init(capacity: Int, clock: @escaping () -> Int64 = { Int64(cshim_monotonic_ns() / 1_000_000) }) throws(SyscallError) {
        precondition(capacity > 0 && capacity < Int(UInt32.max))
        epoll = try Epoll()
        wakeFD = try EventFD()
        table = Array(repeating: Entry(), count: capacity)
        freeSlots = (0..<UInt32(capacity)).reversed()
        inbox = Inbox(wake: wakeFD)
        self.clock = clock
        nowMs = clock()
        try epoll.add(wakeFD.fd, .readable, data: Self.wakeData)
    }

    public var capacity: Int { table.count }
    /// Registrations in use.
    public var registeredCount: Int { table.count - freeSlots.count }

    /// Watches `fd` for `interest` and calls `handler` on readiness.
    public func register(fd: Int32, interest: IOEvents, handler: any EventHandler) throws -> Registration {
        guard let slot = freeSlots.popLast() else { throw EventLoopError.tableFull(capacity: table.count) }
        let reg = Registration(slot: slot, generation: table[Int(slot)].generation)
        do {
            try epoll.add(fd, interest, data: reg.epollData)
        } catch {
            freeSlots.append(slot)
            throw error
        }
        table[Int(slot)].fd = fd
        table[Int(slot)].handler = handler
        return reg
    }

    /// Changes the events watched for a registration.
    public func modify(_ reg: Registration, interest: IOEvents) throws(SyscallError) {
        guard let entry = entry(reg) else { return }
        try epoll.modify(entry.fd, interest, data: reg.epollData)
    }

    /// Stops watching; call before closing the fd. Events already fetched for it are dropped.
    public func deregister(_ reg: Registration) {
        guard let entry = entry(reg) else { return }
        epoll.remove(entry.fd)
        let slot = Int(reg.slot)
        table[slot] = Entry(generation: table[slot].generation &+ 1)
        freeSlots.append(reg.slot)
    }

    private func entry(_ reg: Registration) -> Entry? {
        let e = table[Int(reg.slot)]
        return (e.generation == reg.generation && e.handler != nil) ? e : nil
    }

    // MARK: timers

    /// Allocates a timer that runs `action` on the loop when due. Not scheduled yet.
    public func makeTimer(_ action: @escaping () -> Void) -> TimerID { timers.allocate(action) }
    /// Sets or moves the timer's deadline to `afterMs` from this iteration's `nowMs`.
    public func schedule(_ id: TimerID, afterMs: Int64) { timers.schedule(id, atMs: nowMs + afterMs) }
    /// Sets or moves the timer's deadline to `atMs` on the loop clock (`nowMs`).
    public func schedule(_ id: TimerID, atMs: Int64) { timers.schedule(id, atMs: atMs) }
    /// The timer's deadline on the loop clock, nil when not scheduled.
    public func deadline(of id: TimerID) -> Int64? { timers.deadline(of: id) }
    public func cancel(_ id: TimerID) { timers.cancel(id) }
    public func isScheduled(_ id: TimerID) -> Bool { timers.isScheduled(id) }
    /// Cancels and frees the timer.
    public func releaseTimer(_ id: TimerID) { timers.release(id) }
    public var scheduledTimerCount: Int { timers.count }

    // MARK: other threads

    /// A handle other threads use to have `onLoop` run on the loop thread. Notifications
    /// coalesce: many `notify()` calls before the loop wakes run `onLoop` once.
    public func makeNotifier(_ onLoop: @escaping () -> Void) -> LoopNotifier {
        let notifier = LoopNotifier(inbox: inbox)
        notifierActions.append((notifier, onLoop))
        return notifier
    }
    private var notifierActions: [(LoopNotifier, () -> Void)] = []

    /// A handle other threads use to queue closures that run on the loop thread, in order.
    public var executor: LoopExecutor { LoopExecutor(inbox: inbox) }

    // MARK: running

    /// Runs until `stop()`; `beforeWait` runs every iteration before sleeping (watchdog, drains).
    public func run(beforeWait: () -> Void = {}) throws(SyscallError) {
        stopped = false
        while !stopped {
            nowMs = clock()
            runDueTimers()
            beforeWait()
            if stopped { break }
            var timeout: Int32 = -1
            if let next = timers.nextDeadlineMs { timeout = Int32(clamping: max(0, next - clock())) }
            _ = try epoll.wait(timeoutMs: timeout) { events, data in
                nowMs = clock()
                dispatch(events, data)
            }
        }
    }

    /// Makes `run` return after the current iteration.
    public func stop() { stopped = true }

    private func dispatch(_ events: IOEvents, _ data: UInt64) {
        if data == Self.wakeData {
            _ = wakeFD.drain()
            for (notifier, action) in notifierActions where notifier.takePending() { action() }
            for work in inbox.takeAll() { work() }
            return
        }
        let slot = Int(data & 0xffff_ffff)
        let generation = UInt32(data >> 32)
        guard slot < table.count, table[slot].generation == generation, let handler = table[slot].handler else { return }
        handler.handle(events, loop: self)
    }

    private func runDueTimers() {
        while let (_, action) = timers.popExpired(nowMs: nowMs) { action() }
    }
}

/// Shared between the loop and other threads: pending closures and notifier flags.
final class Inbox: Sendable {
    let wake: EventFD
    private let queue = Mutex<[@Sendable () -> Void]>([])
    init(wake: EventFD) { self.wake = wake }

    func push(_ work: @escaping @Sendable () -> Void) {
        let first = queue.withLock { q -> Bool in
            q.append(work)
            return q.count == 1
        }
        if first { wake.signal() }
    }

    func takeAll() -> [@Sendable () -> Void] {
        queue.withLock { q in
            defer { q = [] }
            return q
        }
    }
}

/// Wakes the loop from any thread to run the action given to `EventLoop.makeNotifier`.
public final class LoopNotifier: Sendable {
    private let inbox: Inbox
    private let pending = Atomic<Bool>(false)
    init(inbox: Inbox) { self.inbox = inbox }

    /// Safe from any thread; costs one eventfd write only when no notification is pending.
    public func notify() {
        if !pending.exchange(true, ordering: .acquiringAndReleasing) { inbox.wake.signal() }
    }

    func takePending() -> Bool { pending.exchange(false, ordering: .acquiringAndReleasing) }
}

/// Queues closures from any thread to run on the loop thread, in submission order.
public struct LoopExecutor: Sendable {
    let inbox: Inbox
    public func execute(_ work: @escaping @Sendable () -> Void) { inbox.push(work) }
}
