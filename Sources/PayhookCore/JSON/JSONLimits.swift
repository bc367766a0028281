/// Bounds on what the JSON parser accepts.
public struct JSONLimits: Sendable, Equatable {
    /// Arrays and objects nested at most this deep (the top-level container is depth 1).
    /// Default 64. Deeper input fails with `JSONError.Kind.tooDeep`. The parser recurses once per
    /// level, so this also bounds its stack use; a value above `maxNestingDepthCeiling` acts as
    /// the ceiling.
    public var maxNestingDepth: Int = 64
    /// The most any `maxNestingDepth` can allow: 128. Enforced by the parser itself, so that no
    /// setting, however large, lets a hostile body recurse deep enough to overflow the stack.
    public static let maxNestingDepthCeiling = 128
    /// Strict by default: a repeated member name fails with `JSONError.Kind.duplicateKey`. When
    /// `true`, every member is kept in order and lookups see the first. Default `false`.
    public var allowDuplicateKeys: Bool = false

    public init(maxNestingDepth: Int = 64, allowDuplicateKeys: Bool = false) {
        self.maxNestingDepth = maxNestingDepth
        self.allowDuplicateKeys = allowDuplicateKeys
    }
}
