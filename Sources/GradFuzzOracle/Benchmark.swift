import Dispatch
import GradFuzzCore

#if canImport(Glibc)
    import Glibc
#endif

/// `gradfuzz bench`: how fast and how accurate a full entry-by-entry check is on fixed networks.
///
/// S, M and L are the shapes of the fast-oracle issue: tanh hidden layers, a sigmoid output,
/// squared_error, so that `ci/bench-peers.py` can build the same kind of network for its peers.
/// W128, W256 and MNIST are wide networks with relu hidden layers, a softmax output and
/// cross_entropy against one-hot targets. Every shape: W^(l) ~ N(0, 1/m_{l−1}), b = 0,
/// X ~ N(0, 1), Y ~ U(0, 1) (one-hot for cross_entropy), from a fixed seed.
public enum Benchmark {
    public struct Shape: Sendable, Codable, Equatable {
        public var name: String
        public var layers: [Int]
        public var batch: Int
        public var hidden: Activation
        public var output: Activation
        public var loss: Loss
        /// Runs of which the median is reported, unless the command says otherwise.
        public var runs: Int

        public init(
            name: String, layers: [Int], batch: Int, hidden: Activation = .tanh, output: Activation = .sigmoid,
            loss: Loss = .squaredError, runs: Int = 3
        ) {
            self.name = name
            self.layers = layers
            self.batch = batch
            self.hidden = hidden
            self.output = output
            self.loss = loss
            self.runs = runs
        }

        /// "tanh → sigmoid, squared_error".
        public var summary: String { "\(hidden.rawValue) → \(output.rawValue), \(loss.rawValue)" }
    }

    public static let shapes = [
        Shape(name: "S", layers: [4, 8, 8, 3], batch: 8, runs: 31),
        Shape(name: "M", layers: [16, 32, 32, 10], batch: 16, runs: 15),
        Shape(name: "L", layers: [64, 128, 64, 10], batch: 32, runs: 5),
        wide(name: "W128", layers: [128, 128, 128, 128, 10], batch: 8),
        wide(name: "W256", layers: [256, 256, 256, 256, 10], batch: 8),
        wide(name: "MNIST", layers: [784, 256, 128, 10], batch: 64),
    ]

    /// A network of relu hidden layers, a softmax output and cross_entropy.
    public static func wide(name: String, layers: [Int], batch: Int, runs: Int = 3) -> Shape {
        Shape(name: name, layers: layers, batch: batch, hidden: .relu, output: .softmax, loss: .crossEntropy, runs: runs)
    }

    public static let seed: UInt64 = 20_261_129

    /// The benchmark network of a shape.
    public static func problem(_ shape: Shape, seed: UInt64 = seed) -> Problem {
        var rng = SplitMix64(seed: seed)
        let layers = shape.layers
        let depth = layers.count - 1
        var W: [Matrix] = []
        for l in 1...depth {
            let scale = (1 / Double(layers[l - 1])).squareRoot()
            W.append(
                Matrix(
                    rows: (0..<layers[l - 1]).map { _ in (0..<layers[l]).map { _ in scale * rng.normal() } },
                    columns: layers[l]))
        }
        let b = (1...depth).map { [Double](repeating: 0, count: layers[$0]) }
        let activations = [Activation](repeating: shape.hidden, count: depth - 1) + [shape.output]
        let X = Matrix(rows: (0..<shape.batch).map { _ in (0..<layers[0]).map { _ in rng.normal() } }, columns: layers[0])
        let outputs = layers[depth]
        let Y = Matrix(
            rows: (0..<shape.batch).map { _ in
                guard shape.loss == .crossEntropy else { return (0..<outputs).map { _ in Double.random(in: 0..<1, using: &rng) } }
                let label = Int.random(in: 0..<outputs, using: &rng)
                return (0..<outputs).map { $0 == label ? 1 : 0 }
            },
            columns: outputs)
        return Problem(network: Network(layers: layers, activations: activations, W: W, b: b), loss: shape.loss, X: X, Y: Y)
    }

    /// One shape's figures.
    public struct Result: Sendable, Codable {
        public var shape: Shape
        public var parameters: Int
        /// The oracle's method.
        public var method: Oracle.Method
        /// Whether the timed check also differentiated every per-sample g^(i,l) entry.
        public var includesDelta: Bool
        public var jobs: Int
        /// Cost evaluations per entry of the result (per-entry GSL: 4, or 8 when it retries with a
        /// better step; units: 4 per g entry, shared by the dW and db entries summed from it).
        public var evaluationsPerEntry: Double
        /// Median seconds of one full entry-by-entry check (every dW and db entry, plus g when `includesDelta`).
        public var checkSeconds: Double
        /// Median processor seconds of one full check, summed over its threads: the time an idle
        /// machine would need on one core, less disturbed by other load than `checkSeconds`.
        public var checkCPUSeconds: Double
        /// The fastest of the runs (wall clock): the least disturbed by other load.
        public var fastestCheckSeconds: Double
        /// Median seconds of one analytic backprop (the reference).
        public var backpropSeconds: Double
        /// The largest relative error of an oracle entry against the analytic gradient; see `relativeError`.
        public var maxRelativeError: Double
        /// Where it is.
        public var worstEntry: String
    }

    /// The relative error of a numerical entry n against the analytic a, within its gradient matrix A:
    ///
    ///     |n − a| / max(|a|, 1e-3 · max_{entries of A} |a|)
    ///
    /// An entry a thousand times smaller than the largest of its matrix is measured against that
    /// thousandth: a relative error of an entry that is (nearly) zero says nothing about the oracle.
    public static func relativeError(numeric n: Double, analytic a: Double, matrixScale: Double) -> Double {
        let floor = max(abs(a), 1e-3 * matrixScale)
        return floor > 0 ? abs(n - a) / floor : (n == a ? 0 : .infinity)
    }

    /// The largest `relativeError` over every dW and db (and g, when the oracle has it) entry, and where.
    public static func maxRelativeError(oracle: OracleResult, analytic: Gradients) -> (Double, String) {
        var worst = (0.0, "none")
        func scan(_ numeric: Matrix, _ exact: Matrix, _ name: String) {
            let scale = exact.storage.reduce(0) { max($0, abs($1)) }
            for r in 0..<exact.rows {
                for c in 0..<exact.columns {
                    let e = relativeError(numeric: numeric[r, c], analytic: exact[r, c], matrixScale: scale)
                    if !(e <= worst.0) { worst = (e, "\(name)[\(r), \(c)]") }
                }
            }
        }
        for p in analytic.dW.indices {
            scan(oracle.dW[p].value, analytic.dW[p], "layer \(p + 1) dW")
            scan(oracle.db[p].value, Matrix(row: analytic.db[p]), "layer \(p + 1) db")
            if oracle.delta[p].value.rows == analytic.delta[p].rows {
                scan(oracle.delta[p].value, analytic.delta[p], "layer \(p + 1) delta")
            }
        }
        return worst
    }

    /// Times `runs` full checks and backprops of one shape (medians) and measures the accuracy.
    public static func run(_ shape: Shape, runs: Int, delta: Bool = false, jobs: Int = 1, oracle: Oracle = Oracle()) -> Result {
        let problem = problem(shape)
        let analytic = Reference.backprop(problem)
        var result = oracle.differentiate(problem, delta: delta, jobs: jobs)
        var wall: [Double] = [], cpu: [Double] = []
        for _ in 0..<max(runs, 1) {
            let startCPU = processorSeconds()
            wall.append(seconds { result = oracle.differentiate(problem, delta: delta, jobs: jobs) })
            cpu.append(processorSeconds() - startCPU)
        }
        let check = median(wall)
        let backprop = median((0..<max(runs, 1)).map { _ in seconds { _ = Reference.backprop(problem) } })
        let (error, place) = maxRelativeError(oracle: result, analytic: analytic)
        var entries = 0
        for p in 0..<problem.network.depth {
            entries += result.dW[p].value.storage.count + result.db[p].value.storage.count + result.delta[p].value.storage.count
        }
        return Result(
            shape: shape, parameters: problem.network.parameterCount, method: oracle.method, includesDelta: delta, jobs: jobs,
            evaluationsPerEntry: Double(result.evaluations) / Double(entries),
            checkSeconds: check, checkCPUSeconds: median(cpu), fastestCheckSeconds: wall.min() ?? check, backpropSeconds: backprop, maxRelativeError: error,
            worstEntry: place)
    }

    static func seconds(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Processor time of the whole process (every thread), in seconds.
    static func processorSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let n = sorted.count
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }
}
