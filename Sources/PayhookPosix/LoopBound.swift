/// A value that belongs to the event loop's thread (a responder, a route, a completion
/// closure) carried through a worker thread and back. The one documented way for a loop-only
/// object to cross threads: the worker holds it but cannot reach it, since the value is only
/// handed out by `LoopExecutor.execute(_:_:)`, which runs on the loop. Create it on the loop.
public struct LoopBound<Value>: @unchecked Sendable {
    fileprivate let value: Value

    public init(_ value: Value) { self.value = value }
}

extension LoopExecutor {
    /// Runs `body` with the bound value on the loop thread. Any thread.
    public func execute<Value>(_ bound: LoopBound<Value>, _ body: @escaping @Sendable (Value) -> Void) {
        execute { body(bound.value) }
    }
}
