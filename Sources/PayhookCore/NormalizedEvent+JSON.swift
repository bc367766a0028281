extension NormalizedEvent {
    /// The event as `payhook.event/v1` JSON, on one line. `data` is the provider's body as parsed:
    /// pass the raw body when it is valid JSON; it is re-emitted compactly (numbers keep their
    /// exact text, member order is kept). `nil`, or a body that does not parse, writes `null`.
    public func writeJSON(into w: inout JSONWriter, data: [UInt8]?) {
        w.beginObject()
        w.key("schema")
        w.string(Self.schema)
        w.key("id")
        w.string(id)
        w.key("seq")
        w.integer(seq)
        w.key("source")
        w.string(source)
        w.key("provider")
        w.string(provider)
        w.key("kind")
        w.string(kind)
        w.key("payment_id")
        w.stringOrNull(paymentID)
        w.key("merchant_ref")
        w.stringOrNull(merchantRef)
        w.key("status")
        w.string(status.rawValue)
        w.key("provider_status")
        w.stringOrNull(providerStatus)
        w.key("provider_event")
        w.stringOrNull(providerEvent)
        if let amount {
            w.key("amount")
            w.string(amount)
        }
        w.key("currency")
        w.stringOrNull(currency)
        w.key("occurred_at")
        w.stringOrNull(occurredAt)
        w.key("received_at")
        w.string(Timestamp.iso8601(unixMs: receivedAtMs))
        w.key("verified_by")
        w.string(verifiedBy)
        w.key("unsigned")
        w.beginArray()
        for field in unsignedFields { w.string(field) }
        w.endArray()
        w.key("quarantined")
        w.stringOrNull(quarantined)
        w.key("data")
        if let data, let body = try? JSONParser.parse(data) { body.write(into: &w) } else { w.null() }
        w.endObject()
    }

    /// Convenience: the event as a standalone JSON document.
    public func jsonBytes(data: [UInt8]?) -> [UInt8] {
        // The fields come to some 500 bytes: room for them and the data at once (growing from
        // the writer's default copied the event two or three times).
        var w = JSONWriter(reservingCapacity: 768 + (data?.count ?? 0))
        writeJSON(into: &w, data: data)
        return w.bytes
    }
}
