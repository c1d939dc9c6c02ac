import GradFuzzCore
import GradFuzzFixtures
import GradFuzzMutants
import GradFuzzOracle

/// Which iterations a machine runs: shard K of N takes iterations i with i mod N = K − 1, so N
/// machines running the same seed cover the run exactly once between them, and each case is the
/// same case on whichever machine draws it.
public struct Shard: Equatable, Codable, Sendable, CustomStringConvertible {
    /// K, 1…N.
    public var index: Int
    /// N.
    public var count: Int

    public static let whole = Shard(index: 1, count: 1)

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// Parses "K/N" with 1 ≤ K ≤ N; says what was expected otherwise.
    public init(parsing text: String) throws(InputError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, (1...n).contains(k) else {
            throw InputError(field: "--shard", "expected K/N with 1 ≤ K ≤ N (e.g. 1/4), got \"\(text)\"")
        }
        self.init(index: k, count: n)
    }

    /// This shard's iterations of a run of `total`.
    public func iterations(of total: Int) -> StrideTo<Int> {
        stride(from: index - 1, to: total, by: count)
    }

    /// How many iterations of a run of `total` this shard runs, by arithmetic (counting the stride
    /// would walk it: minutes for a run of Int.max).
    public func count(of total: Int) -> Int {
        total < index ? 0 : (total - index) / count + 1
    }

    public var description: String { "\(index)/\(count)" }
}
