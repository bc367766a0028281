import CLinuxShim
import Glibc

/// A joinable POSIX thread, for the log writer and snapshot workers (the event loop never does
/// disk I/O). The corresponding C functions are `pthread_create` and `pthread_join`.
public final class PosixThread: @unchecked Sendable {
    private let handle: pthread_t

    private final class Box {
        let name: String
        let body: @Sendable () -> Void
        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }

    private init(handle: pthread_t) { self.handle = handle }

    /// Starts `body` on a new thread named `name` (Linux keeps the first 15 bytes).
    public static func spawn(name: String, _ body: @escaping @Sendable () -> Void) throws(SyscallError) -> PosixThread {
        let box = Unmanaged.passRetained(Box(name: name, body: body))
        var tid = pthread_t()
        do throws(SyscallError) {
            _ = try syscallOrThrow("pthread_create") { () -> Int32 in
                // pthread functions return the error number instead of setting errno.
                let rc = pthread_create(
                    &tid, nil,
                    { arg in
                        let box = Unmanaged<Box>.fromOpaque(arg!).takeRetainedValue()
                        _ = c_pthread_setname_np(pthread_self(), box.name.utf8CString.prefix(15) + [0])
                        box.body()
                        return nil
                    }, box.toOpaque())
                if rc != 0 {
                    cshim_set_errno(rc)
                    return -1
                }
                return 0
            }
        } catch {
            box.release()
            throw error
        }
        return PosixThread(handle: tid)
    }

    /// Lets the thread's resources go when it ends, for one-off workers nobody joins. Call once,
    /// instead of `join`. The corresponding C function is `pthread_detach`.
    public func detach() {
        _ = pthread_detach(handle)
    }

    /// Waits for the thread to finish. Call once.
    public func join() {
        _ = pthread_join(handle, nil)
    }
}

@_silgen_name("pthread_setname_np") private func c_pthread_setname_np(_ thread: pthread_t, _ name: UnsafePointer<CChar>) -> Int32
