import PayhookHooks
import PayhookPosix

// SIGHUP changes to [[hooks]], applied live between two loop iterations, and `hooks forget`.
//
// - A new hook starts as at start-up: its cursor file if one is left from before (a hook
//   removed and added again continues where it stopped), else at the end of the log, or at its
//   start with `start = "beginning"`.
// - A changed hook (any key) is stopped and started again with the cursor and parked list it
//   had: nothing is skipped or sent twice beyond the attempts in flight, which are cut (their
//   connections closed, command children killed) and, still pending in the cursor, sent again
//   under the new settings. A replay or `retry-parked` in progress is not carried over: ask it
//   again (at least once, as after a restart).
// - A removed hook stops; its final cursor is written and stays, with its parked file, until
//   `payhookd hooks forget NAME`. It no longer holds retention back.

extension HookSet {
    /// Applies `hooks` (the reloaded file's, already validated); returns what changed, by name.
    @discardableResult
    func apply(_ hooks: [Config.Hook]) -> [String] {
        var next: [HookDriver] = []
        var changes: [String] = []
        for hook in hooks {
            let old = driver(hook.name)
            let keys = old.map { Settings.hookKeysChanged($0.hook, hook) } ?? []
            if let old, keys.isEmpty {
                next.append(old)
                continue
            }
            var cursor: HookCursor?
            if let old {
                cursor = old.stop()
                cursorWriter.submit(CursorJob(path: old.cursorPath, cursor: cursor, parked: nil))
            }
            do {
                let driver = try makeDriver(hook, cursor: cursor, parked: old?.parked)
                next.append(driver)
                let what = old == nil ? "added" : "changed: " + keys.joined(separator: ", ")
                changes.append("\(hook.name) (\(what); from seq \(driver.state.scanSeq))")
            } catch {
                Journal.error("reload: hook \(hook.name) not started: \(error)")
            }
        }
        for old in drivers where !hooks.contains(where: { $0.name == old.name }) {
            cursorWriter.submit(CursorJob(path: old.cursorPath, cursor: old.stop(), parked: nil))
            changes.append("\(old.name) (removed: stopped; its cursor stays until `payhookd hooks forget \(old.name)`)")
        }
        drivers = next
        updateProgress()
        for d in drivers { d.pump() }
        return changes
    }

    /// A name `forget` accepts: what a hook name may be (no path separators, not hidden).
    static func isForgettable(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix(".")
            && name.utf8.allSatisfy { c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x5F || c == 0x2E || c == 0x7E
            }
    }

    /// Deletes the cursor and parked file of `name`, a hook not running (removed from the
    /// config), on the writer thread after every write of them it was handed; `done` gets the
    /// deleted paths, on the loop. False (nothing done) for a running hook.
    func forget(_ name: String, done: @escaping ([String]) -> Void) -> Bool {
        guard driver(name) == nil else { return false }
        let paths = [HookCursor.path(directory: directory, hook: name), ParkedList.path(directory: directory, hook: name)]
        cursorWriter.submit(
            CursorJob(path: paths[0], cursor: nil, parked: nil, forget: Forget(paths: paths, done: done, executor: loop.executor)))
        return true
    }
}
