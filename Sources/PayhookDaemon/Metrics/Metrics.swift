import PayhookCore

/// Counters and gauges for `/metrics`, rendered in the Prometheus text format 0.0.4.
///
/// Lives on the loop thread (no locks): every update happens there, and so does rendering, so
/// a scrape reads every counter at one instant without racing its writers. Rendering is kept
/// cheap instead of moved off the loop (`MetricsText.swift` says why and how): a sample's
/// `name{labels} ` is rendered when its label set first appears, a scrape appends bytes.
/// A family is declared once with its help text; samples are keyed by their label values.
public final class Metrics {
    public enum Kind: String { case counter, gauge, histogram }

    private final class Family {
        let name: String
        let kind: Kind
        let labelNames: [String]
        let header: [UInt8]
        /// Label values -> index in `samples` or `histograms`, in first-seen order (stable output).
        var index: [[String]: Int] = [:]
        var samples: [(prefix: [UInt8], value: Double)] = []
        /// For `.histogram` families (set whole, from a snapshot).
        var histograms: [(lines: HistogramLines, snapshot: HistogramSnapshot)] = []

        init(name: String, help: String, kind: Kind, labelNames: [String]) {
            self.name = name
            self.kind = kind
            self.labelNames = labelNames
            header = MetricsText.header(name, help: help, kind: kind.rawValue)
        }
    }

    private var families: [String: Family] = [:]
    private var familyOrder: [Family] = []

    /// Runs at the start of `render`, to copy values kept elsewhere (atomics, index sizes).
    public var beforeRender: ((Metrics) -> Void)?
    /// Appended to the output as is: families rendered by their owner (hooks).
    var renderExtra: [(inout [UInt8]) -> Void] = []

    public init() {}

    /// Declares a metric family; declaring the same name twice keeps the first declaration.
    public func declare(_ name: String, _ kind: Kind, help: String, labels: [String] = []) {
        guard families[name] == nil else { return }
        let family = Family(name: name, help: help, kind: kind, labelNames: labels)
        families[name] = family
        familyOrder.append(family)
    }

    /// Adds `by` to a counter (or gauge). The family must have been declared.
    public func add(_ name: String, _ labels: [String] = [], by: Double = 1) {
        let (family, i) = sample(name, labels)
        family.samples[i].value += by
        for observer in onAdd { observer(name, labels, by) }
    }

    /// Told of every counter increment (the console's per-minute ingest counts follow
    /// `payhook_ingest_total` this way, so the two cannot disagree).
    public var onAdd: [(_ name: String, _ labels: [String], _ by: Double) -> Void] = []

    /// Sets a gauge.
    public func set(_ name: String, _ labels: [String] = [], to value: Double) {
        let (family, i) = sample(name, labels)
        family.samples[i].value = value
    }

    /// Sets a histogram's buckets, count and sum (a family declared `.histogram`).
    public func set(_ name: String, _ labels: [String] = [], histogram: HistogramSnapshot) {
        guard let family = families[name], family.kind == .histogram else {
            preconditionFailure("histogram \(name) used before it was declared")
        }
        precondition(labels.count == family.labelNames.count, "metric \(name): label count")
        if let i = family.index[labels], family.histograms[i].lines.bounds == histogram.upperBounds {
            family.histograms[i].snapshot = histogram
            return
        }
        let lines = HistogramLines(name, family.labelNames, labels, bounds: histogram.upperBounds) { Self.format($0) }
        if let i = family.index[labels] {
            family.histograms[i] = (lines, histogram)
        } else {
            family.index[labels] = family.histograms.count
            family.histograms.append((lines, histogram))
        }
    }

    public func value(_ name: String, _ labels: [String] = []) -> Double {
        guard let family = families[name], let i = family.index[labels], family.kind != .histogram else { return 0 }
        return family.samples[i].value
    }

    /// The family and index of a counter's or gauge's sample, made (at 0) on first use.
    private func sample(_ name: String, _ labels: [String]) -> (Family, Int) {
        guard let family = families[name], family.kind != .histogram else {
            preconditionFailure("metric \(name) used before it was declared")
        }
        if let i = family.index[labels] { return (family, i) }
        precondition(labels.count == family.labelNames.count, "metric \(name): label count")
        family.index[labels] = family.samples.count
        family.samples.append((MetricsText.prefix(name, family.labelNames, labels), 0))
        return (family, family.samples.count - 1)
    }

    /// The text exposition format, version 0.0.4, as bytes (what `/metrics` sends).
    public func renderBytes() -> [UInt8] {
        beforeRender?(self)
        var out: [UInt8] = []
        out.reserveCapacity(lastRenderBytes + 1024)
        for family in familyOrder {
            out += family.header
            for h in family.histograms {
                let s = h.snapshot
                h.lines.append(cumulative: s.cumulativeCounts.lazy.map { UInt64($0) }, total: UInt64(s.count), sum: s.sum, to: &out)
            }
            if family.kind != .histogram && family.labelNames.isEmpty && family.samples.isEmpty {
                out += family.name.utf8
                out += " 0\n".utf8
            }
            for sample in family.samples {
                out += sample.prefix
                MetricsText.appendValue(sample.value, to: &out)
            }
        }
        for extra in renderExtra { extra(&out) }
        lastRenderBytes = out.count
        return out
    }

    /// The size of the last output: the next one reserves it (no regrowth while appending).
    private var lastRenderBytes = 0

    /// `renderBytes` as a String.
    public func render() -> String { String(decoding: renderBytes(), as: UTF8.self) }

    /// A value as the text format spells it (integral values without a fraction).
    static func format(_ v: Double) -> String {
        var out: [UInt8] = []
        MetricsText.appendValue(v, to: &out)
        return String(decoding: out.dropLast(), as: UTF8.self)
    }
}
