extension ConnectionState {
    /// The actions of one step, in order. A step of a kept-alive request returns one to three
    /// (a deadline, an answer, resume): they are held inline, so a step allocates nothing; a
    /// fourth and later ones go to an array. An `[Action]` cost five heap arrays per status
    /// query (each step's array, then its growth when `+=` joined two).
    public struct Actions: RandomAccessCollection, Equatable, ExpressibleByArrayLiteral {
        private var a0: Action? = nil
        private var a1: Action? = nil
        private var a2: Action? = nil
        private var spill: [Action] = []
        public private(set) var count = 0

        public init() {}

        public init(_ action: Action) { append(action) }

        public init(arrayLiteral elements: Action...) {
            for action in elements { append(action) }
        }

        public var startIndex: Int { 0 }
        public var endIndex: Int { count }

        public subscript(position: Int) -> Action {
            precondition(position >= 0 && position < count, "action index out of range")
            switch position {
            case 0: return a0!
            case 1: return a1!
            case 2: return a2!
            default: return spill[position - 3]
            }
        }

        public mutating func append(_ action: Action) {
            switch count {
            case 0: a0 = action
            case 1: a1 = action
            case 2: a2 = action
            default: spill.append(action)
            }
            count += 1
        }

        public static func += (lhs: inout Actions, rhs: Actions) {
            for i in 0..<rhs.count { lhs.append(rhs[i]) }
        }

        public static func + (lhs: Actions, rhs: Actions) -> Actions {
            var joined = lhs
            joined += rhs
            return joined
        }

        public static func == (lhs: Actions, rhs: Actions) -> Bool { lhs.elementsEqual(rhs) }
    }
}
