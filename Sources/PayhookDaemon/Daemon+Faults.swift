import PayhookPosix

extension Daemon {
    /// Debug builds only: `PAYHOOKD_FAULTS=call:errno:count[:skip],...` makes the named system
    /// calls fail (e.g. `pwrite:28:1` is one ENOSPC, `fdatasync:5:1` one EIO), so integration
    /// tests drive the real binary through its failure paths. Armed once start-up is done, so
    /// `skip` counts only calls made while serving. Release builds ignore the variable.
    static func armFaultsFromEnvironment() {
        #if DEBUG
            guard let spec = environment("PAYHOOKD_FAULTS"), !spec.isEmpty else { return }
            for item in spec.split(separator: ",") {
                let parts = item.split(separator: ":").map(String.init)
                guard parts.count >= 3, let errno = Int32(parts[1]), let count = Int(parts[2]) else {
                    Journal.error("PAYHOOKD_FAULTS: cannot read \(item) (call:errno:count[:skip])")
                    continue
                }
                let skip = parts.count > 3 ? Int(parts[3]) ?? 0 : 0
                FaultInjection.shared.arm(parts[0], Errno(errno), count: count, skip: skip)
                Journal.warning("fault injection armed: \(parts[0]) fails with \(Errno(errno)) \(count) time(s) after \(skip)")
            }
        #endif
    }
}
