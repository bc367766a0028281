import PayhookCore
import PayhookHTTP1
import PayhookHooks
import PayhookLog
import PayhookPosix
import PayhookStore

// Attempts (HTTP or command) and park records of a `HookDriver`.

extension HookDriver {
    /// Starts one attempt of `event`; its end comes back through `finished`.
    func send(_ event: HookEvent, attempt: UInt32) {
        body(of: event.seq) { [weak self] body in
            guard let self else { return }
            guard let body else {
                // Retention removed the record while it waited: nothing left to send.
                return finished(event, outcome: .delivered, failure: nil)
            }
            if let target {
                sendHTTP(event, attempt: attempt, body: body, target: target)
            } else if case .command(let argv) = hook.target {
                run(argv, event: event, attempt: attempt, body: body)
            } else if let nats {
                sendNATS(event, body: body, nats: nats)
            }
        }
    }

    private func sendHTTP(_ event: HookEvent, attempt: UInt32, body: [UInt8], target: HookTarget) {
        // Checked first: the closure is an allocation per event, needed only while unreachable.
        if connectBlockedUntilMs != 0, deferWhileUnreachable({ [weak self] in self?.sendHTTP(event, attempt: attempt, body: body, target: target) }) {
            return
        }
        let connection: HookConnection
        // An open connection with room first (its requests then share writes), then a closed one.
        if let open = connections.first(where: { $0.isOpen && $0.hasRoom }) ?? connections.first(where: { $0.hasRoom }) {
            connection = open
        } else {
            connection = HookConnection(loop: loop, address: target.address, maxPipelined: hook.maxPipelined)
            connections.append(connection)
        }
        let request = HookRequest.build(
            target: target.request, event: event, attempt: attempt, body: body, key: key, timestampS: clock.nowUnixMs() / 1000)
        connection.send(request, timeoutMs: Int64(hook.timeoutMs)) { [weak self] result in
            guard let self else { return }
            switch result {
            case .success(let response):
                let outcome = DeliveryState.Outcome(response: response, nowUnixMs: clock.nowUnixMs())
                let failure =
                    outcome == .delivered
                    ? nil
                    : HookFailure(cause: .status, message: "HTTP \(response.status): " + String(decoding: response.body.prefix(200), as: UTF8.self))
                finished(event, outcome: outcome, failure: failure)
            case .failure(let failure):
                finished(event, outcome: .failed(retryAfterMs: nil), failure: failure)
            }
        }
    }

    private func run(_ argv: [String], event: HookEvent, attempt: UInt32, body: [UInt8]) {
        let command = HookCommand(argv: argv, event: event, attempt: attempt)
        let name = self.name
        var child: HookChild?
        do {
            child = try HookChild(
                loop: loop, argv: command.argv, environment: command.environment, input: body, timeoutMs: Int64(hook.timeoutMs)
            ) { [weak self] result, output in
                if !output.isEmpty {
                    let text = String(decoding: output, as: UTF8.self).split(whereSeparator: \.isNewline).joined(separator: " | ")
                    Journal.info("hook \(name) seq \(event.seq) output: \(text)")
                }
                guard let self else { return }
                children.removeAll { $0 === child }
                switch result {
                case .success: finished(event, outcome: .delivered, failure: nil)
                case .failure(let failure): finished(event, outcome: .failed(retryAfterMs: nil), failure: failure)
                }
            }
            children.append(child!)
        } catch {
            finished(event, outcome: .failed(retryAfterMs: nil), failure: HookFailure(cause: .spawn, message: "\(argv[0]): \(error)"))
        }
    }

    /// Appends the park record (with the event JSON, so retention cannot lose it); once it is
    /// durable the event is done and its payment flows again.
    func park(_ record: ParkRecord) {
        let name = self.name
        let error = stats.lastError ?? ""
        body(of: record.seq) { [weak self] body in
            guard let self else { return }
            let parked = ParkedEvent(hook: name, record: record, lastError: error, eventJSON: body ?? [])
            let payload = LogPayload.other(type: RecordType.hookParked.rawValue, receivedAtMs: clock.nowUnixMs(), bytes: parked.encode())
            store.appendRecord(payload) { [weak self] result in
                // Stopped meanwhile (a reload): still pending in the cursor, the next driver retries it.
                guard let self, !stopped else { return }
                switch result {
                case .success:
                    Journal.warning("hook \(name): parked seq \(record.seq) (\(record.eventID)) after \(record.attempts) attempts: \(error)")
                    stats.parked += 1
                    retrying.remove(record.seq)
                    // Listed before the cursor that counts it done is written (same writer, in order).
                    self.parked.insert(parked)
                    persistParked(.parked(parked))
                    bodies[record.seq] = nil
                    receivedAt[record.seq] = nil
                    perform(state.parkRecorded(seq: record.seq, nowMs: clock.nowUnixMs()))
                case .failure(let failure):
                    // The payment stays held: retried at the next start (the cursor lists it).
                    Journal.error("hook \(name): park record for seq \(record.seq) not written: \(failure)")
                }
            }
        }
    }
}
