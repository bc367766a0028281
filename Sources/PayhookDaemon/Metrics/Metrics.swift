import PayhookCore

/// Counters and gauges for `/metrics`, rendered in the Prometheus text format 0.0.4.
///
/// Lives on the loop thread (no locks): every update happens there, and so does rendering.
/// A family is declared once with its help text; samples are keyed by their label values.
public final class Metrics {
    public enum Kind: String { case counter, gauge, histogram }

    private struct Family {
        let name: String
        let help: String
        let kind: Kind
        let labelNames: [String]
        var samples: [[String]: Double] = [:]
        /// For `.histogram` families (set whole, from a snapshot).
        var histograms: [[String]: HistogramSnapshot] = [:]
        /// Label sets in first-seen order, so the output is stable.
        var order: [[String]] = []
    }

    private var families: [String: Family] = [:]
    private var familyOrder: [String] = []

    /// Runs at the start of `render`, to copy values kept elsewhere (atomics, index sizes).
    public var beforeRender: ((Metrics) -> Void)?
    /// Appended to the output as is: families rendered by their owner (hooks, histograms).
    var renderExtra: [() -> String] = []

    public init() {}

    /// Declares a metric family; declaring the same name twice keeps the first declaration.
    public func declare(_ name: String, _ kind: Kind, help: String, labels: [String] = []) {
        guard families[name] == nil else { return }
        families[name] = Family(name: name, help: help, kind: kind, labelNames: labels)
        familyOrder.append(name)
    }

    /// Adds `by` to a counter (or gauge). The family must have been declared.
    public func add(_ name: String, _ labels: [String] = [], by: Double = 1) {
        update(name, labels) { $0 += by }
        for observer in onAdd { observer(name, labels, by) }
    }

    /// Told of every counter increment (the console's per-minute ingest counts follow
    /// `payhook_ingest_total` this way, so the two cannot disagree).
    public var onAdd: [(_ name: String, _ labels: [String], _ by: Double) -> Void] = []

    /// Sets a gauge.
    public func set(_ name: String, _ labels: [String] = [], to value: Double) {
        update(name, labels) { $0 = value }
    }

    /// Sets a histogram's buckets, count and sum (a family declared `.histogram`).
    public func set(_ name: String, _ labels: [String] = [], histogram: HistogramSnapshot) {
        guard var family = families[name], family.kind == .histogram else {
            preconditionFailure("histogram \(name) used before it was declared")
        }
        precondition(labels.count == family.labelNames.count, "metric \(name): label count")
        if family.histograms[labels] == nil { family.order.append(labels) }
        family.histograms[labels] = histogram
        families[name] = family
    }

    public func value(_ name: String, _ labels: [String] = []) -> Double {
        families[name]?.samples[labels] ?? 0
    }

    private func update(_ name: String, _ labels: [String], _ change: (inout Double) -> Void) {
        guard var family = families[name] else {
            preconditionFailure("metric \(name) used before it was declared")
        }
        precondition(labels.count == family.labelNames.count, "metric \(name): label count")
        if family.samples[labels] == nil {
            family.samples[labels] = 0
            family.order.append(labels)
        }
        change(&family.samples[labels]!)
        families[name] = family
    }

    /// The text exposition format, version 0.0.4.
    public func render() -> String {
        beforeRender?(self)
        var out = ""
        for name in familyOrder {
            guard let family = families[name] else { continue }
            out += "# HELP \(name) \(Self.escapeHelp(family.help))\n# TYPE \(name) \(family.kind.rawValue)\n"
            if family.kind == .histogram {
                for labels in family.order { out += Self.render(name, family.labelNames, labels, family.histograms[labels]!) }
                continue
            }
            if family.labelNames.isEmpty && family.order.isEmpty {
                out += "\(name) 0\n"
            }
            for labels in family.order {
                let value = family.samples[labels] ?? 0
                if labels.isEmpty {
                    out += "\(name) \(Self.format(value))\n"
                } else {
                    let pairs = zip(family.labelNames, labels).map { "\($0)=\"\(Self.escapeLabel($1))\"" }
                    out += "\(name){\(pairs.joined(separator: ","))} \(Self.format(value))\n"
                }
            }
        }
        for extra in renderExtra { out += extra() }
        return out
    }

    /// `_bucket` lines (cumulative, `le` last among the labels), then `_sum` and `_count`.
    private static func render(_ name: String, _ labelNames: [String], _ labels: [String], _ h: HistogramSnapshot) -> String {
        let pairs = zip(labelNames, labels).map { "\($0)=\"\(Self.escapeLabel($1))\"" }
        let prefix = pairs.isEmpty ? "" : pairs.joined(separator: ",") + ","
        let plain = pairs.isEmpty ? "" : "{" + pairs.joined(separator: ",") + "}"
        var out = ""
        for (bound, count) in zip(h.upperBounds, h.cumulativeCounts) {
            out += "\(name)_bucket{\(prefix)le=\"\(format(bound))\"} \(count)\n"
        }
        out += "\(name)_bucket{\(prefix)le=\"+Inf\"} \(h.count)\n"
        out += "\(name)_sum\(plain) \(format(h.sum))\n\(name)_count\(plain) \(h.count)\n"
        return out
    }

    private static func format(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return String(v)
    }

    private static func escapeHelp(_ s: String) -> String {
        s.replacingOccurrences("\\", "\\\\").replacingOccurrences("\n", "\\n")
    }

    private static func escapeLabel(_ s: String) -> String {
        s.replacingOccurrences("\\", "\\\\").replacingOccurrences("\"", "\\\"").replacingOccurrences("\n", "\\n")
    }
}

extension String {
    fileprivate func replacingOccurrences(_ target: Character, _ replacement: String) -> String {
        var out = ""
        out.reserveCapacity(count)
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
