import Foundation
import GradFuzzCore
import GradFuzzFixtures
import GradFuzzJudging
import GradFuzzMutants
import GradFuzzOracle

/// Everything a fuzzing run needs to know.
public struct FuzzConfiguration: Sendable {
    public var seed: UInt64
    public var iterations: Int
    public var jobs: Int
    public var distribution: Distribution
    public var shard: Shard
    /// Where shrunk failing cases are written; nil writes none.
    public var outDirectory: URL?
    /// The implementation under test: the reference by default; any `BackpropImplementation`
    /// (an external program, a catalogued mistake) plugs in here.
    public var implementation: any BackpropImplementation
    /// The command that replays a fixture file with `implementation` under test, written into
    /// each fixture: `gradfuzz replay FILE` for the reference.
    public var replayCommand: @Sendable (String) -> String
    public var oracle: Oracle
    /// The tolerance of the run: stored in every fixture written (what replay and validate apply
    /// to it), and applied against the oracle as `tolerance.againstOracle`.
    public var tolerance: Tolerance
    /// Whether failing cases are shrunk before they are written.
    public var shrink: Bool
    /// Whether the cost counts in the verdict (it does unless the run grades gradients only).
    public var cost: CostCheck

    public init(
        seed: UInt64, iterations: Int, jobs: Int = ProcessInfo.processInfo.activeProcessorCount,
        distribution: Distribution = Distribution(), shard: Shard = .whole, outDirectory: URL? = nil,
        implementation: any BackpropImplementation = ReferenceImplementation(),
        replayCommand: @escaping @Sendable (String) -> String = { "gradfuzz replay \($0)" },
        oracle: Oracle = Oracle(), tolerance: Tolerance = .float64, shrink: Bool = true, cost: CostCheck = .compared
    ) {
        self.seed = seed
        self.iterations = iterations
        self.jobs = jobs
        self.distribution = distribution
        self.shard = shard
        self.outDirectory = outDirectory
        self.implementation = implementation
        self.replayCommand = replayCommand
        self.oracle = oracle
        self.tolerance = tolerance
        self.shrink = shrink
        self.cost = cost
    }
}
