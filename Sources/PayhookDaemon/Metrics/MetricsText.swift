import PayhookCore

/// Bytes of the Prometheus text format 0.0.4, appended to one buffer.
///
/// Why bytes and pre-rendered prefixes: `/metrics` is rendered on the loop thread, and building
/// each line as interpolated Strings (label escaping by Character, Double descriptions, one
/// String per line) cost 1 to 2 ms a scrape there, the loop's whole budget for some 50
/// deliveries. A sample's `name{labels} ` is rendered once, when its label set first appears;
/// a scrape appends those bytes and the value's digits.
enum MetricsText {
    /// `# HELP name help\n# TYPE name kind\n`.
    static func header(_ name: String, help: String, kind: String) -> [UInt8] {
        Array("# HELP \(name) \(escape(help, quotes: false))\n# TYPE \(name) \(kind)\n".utf8)
    }

    /// `name{a="x",b="y"} ` (or `name ` without labels), `extra` appended inside the braces
    /// (`le="0.5"`), label values escaped.
    static func prefix(_ name: String, _ labelNames: [String], _ labels: [String], extra: String? = nil) -> [UInt8] {
        var pairs = zip(labelNames, labels).map { "\($0)=\"\(escape($1, quotes: true))\"" }
        if let extra { pairs.append(extra) }
        return Array((pairs.isEmpty ? "\(name) " : "\(name){\(pairs.joined(separator: ","))} ").utf8)
    }

    /// A sample's value: integral values without a fraction (`3`, not `3.0`), others as Swift
    /// prints a Double; then the line's end.
    static func appendValue(_ v: Double, to out: inout [UInt8]) {
        if v == v.rounded(), abs(v) < 1e15 {
            if v < 0 { out.append(UInt8(ascii: "-")) }
            ASCIIDecimal.append(UInt64(abs(v)), to: &out)
        } else {
            out += String(v).utf8
        }
        out.append(UInt8(ascii: "\n"))
    }

    /// An unsigned count, then the line's end.
    static func appendValue(_ v: UInt64, to out: inout [UInt8]) {
        ASCIIDecimal.append(v, to: &out)
        out.append(UInt8(ascii: "\n"))
    }

    /// Escapes `\` and newlines (help and label values) and `"` (label values only), byte by
    /// byte: the three are ASCII, so UTF-8 sequences pass through untouched.
    static func escape(_ s: String, quotes: Bool) -> String {
        guard s.utf8.contains(where: { $0 == 0x5C || $0 == 0x0A || (quotes && $0 == 0x22) }) else { return s }
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count + 8)
        for b in s.utf8 {
            switch b {
            case 0x5C: out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x22 where quotes: out += [0x5C, 0x22]
            default: out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The lines of one histogram series (a family's label set), prefixes rendered once for its
/// bounds: `_bucket{labels,le="b"} ` per bound and `+Inf`, `_sum{labels} `, `_count{labels} `.
struct HistogramLines {
    let bounds: [Double]
    let buckets: [[UInt8]]
    let infinity: [UInt8]
    let sum: [UInt8]
    let count: [UInt8]

    /// `boundText` spells a bound in `le` (the families differ: `0.5` or `0.5`, `3600` or `3600.0`).
    init(_ name: String, _ labelNames: [String], _ labels: [String], bounds: [Double], boundText: (Double) -> String) {
        self.bounds = bounds
        buckets = bounds.map { MetricsText.prefix(name + "_bucket", labelNames, labels, extra: "le=\"\(boundText($0))\"") }
        infinity = MetricsText.prefix(name + "_bucket", labelNames, labels, extra: "le=\"+Inf\"")
        sum = MetricsText.prefix(name + "_sum", labelNames, labels)
        count = MetricsText.prefix(name + "_count", labelNames, labels)
    }

    /// Appends the series: `cumulative[i]` is the count at or below `bounds[i]`.
    func append(cumulative: some Sequence<UInt64>, total: UInt64, sum value: Double, to out: inout [UInt8]) {
        for (prefix, n) in zip(buckets, cumulative) {
            out += prefix
            MetricsText.appendValue(n, to: &out)
        }
        out += infinity
        MetricsText.appendValue(total, to: &out)
        out += sum
        MetricsText.appendValue(value, to: &out)
        out += count
        MetricsText.appendValue(total, to: &out)
    }
}
