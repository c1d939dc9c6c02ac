import GradFuzzCore
import GradFuzzFixtures
import GradFuzzMutants
import GradFuzzOracle
import RealModule

/// Draws the fuzzer's cases: case i is a function of (seed, i) alone, drawn from
/// `SplitMix64(seed: seed, stream: i)`, so it is the same whatever the number of jobs or shards.
/// Every case belongs to the distribution's family.
///
/// Magnitudes are drawn across orders of magnitude, one scale per layer: most layers near the
/// usual 1/√fan-in, a share anywhere from 10⁻³ to 10² times it. That reaches saturated sigmoid,
/// tanh and softmax, vanishing and exploding signals, tiny and large weights and inputs.
///
/// Kinks are kept `kinkMargin` away by re-drawing the number that decides them, never by skipping
/// the case: a relu/leaky_relu unit's bias (then, failing that, a bias that puts every sample on
/// one side), an absolute_error residual, a hinge target. So are the curvature kinks, where f''
/// jumps and a difference quotient is only first-order accurate: elu and softsign at z = 0, huber
/// at |a − y| = 1. A case whose reference forward or backward
/// pass is not finite (or beyond 10¹², where steps drown in round-off) is re-drawn whole, from the
/// same stream; after a few such draws the scales are tamed, then made contracting, so drawing ends.
public struct CaseGenerator: Sendable {
    public var seed: UInt64
    public var distribution: Distribution

    public init(seed: UInt64, distribution: Distribution = Distribution()) {
        self.seed = seed
        self.distribution = distribution
    }

    /// Largest magnitude of any forward value or gradient entry a case may have.
    public static let magnitudeLimit = 1e12

    /// Case `iteration`.
    public func problem(iteration: Int) -> Problem {
        var rng = SplitMix64(seed: seed, stream: UInt64(bitPattern: Int64(iteration)))
        var attempt = 0
        while true {
            let scales: ScaleRegime = attempt < 8 ? .wide : attempt < 32 ? .tame : .contracting
            if let problem = draw(&rng, scales: scales), problem.isFuzzable(kinkMargin: distribution.kinkMargin) {
                return problem
            }
            attempt += 1
        }
    }

    // MARK: Drawing

    private func draw(_ rng: inout SplitMix64, scales: ScaleRegime) -> Problem? {
        let family = distribution.family
        let depth = Int.random(in: family.possibleDepths ?? family.depth, using: &rng)
        let ceiling = Int.random(in: family.width, using: &rng)
        var layers = (0...depth).map { _ in logUniformInt(family.width.lowerBound...ceiling, &rng) }
        if let outputs = family.outputs { layers[depth] = logUniformInt(outputs, &rng) }
        let m = Int.random(in: family.batch, using: &rng)
        let loss = family.drawableLosses.randomElement(using: &rng)!
        var activations = (0..<depth).map { p in
            (p == depth - 1 ? family.outputActivations : family.hiddenActivations).randomElement(using: &rng)!
        }
        activations[depth - 1] = loss.requiredOutput ?? activations[depth - 1]
        if family.sameActivation && depth > 1 {
            // One activation throughout: one the loss accepts at the output, drawn after the rest so
            // that other families' cases stay as they were.
            guard let shared = family.sharedActivations(for: loss).randomElement(using: &rng) else { return nil }
            activations = Array(repeating: shared, count: depth)
        }

        let inputScale = scale(&rng, scales)
        var X = Matrix(rows: m, columns: layers[0])
        for t in X.storage.indices { X.storage[t] = rng.normal() * inputScale }

        var W: [Matrix] = [], b: [[Double]] = []
        var input = X
        for p in 0..<depth {
            let (rows, columns) = (layers[p], layers[p + 1])
            let weightScale = scale(&rng, scales) / Double(rows).squareRoot()
            var w = Matrix(rows: rows, columns: columns)
            for t in w.storage.indices { w.storage[t] = rng.normal() * weightScale }
            let biasScale = Double.random(in: 0..<1, using: &rng) < 0.2 ? 0 : scale(&rng, scales)
            var bias = (0..<columns).map { _ in rng.normal() * biasScale }
            var z = Self.preActivations(input, w, bias)
            if activations[p].needsClearanceAtZero {
                for k in 0..<columns {
                    keepClearOfZero(unit: k, input: input, w: w, bias: &bias, z: &z, scale: max(biasScale, 1), &rng)
                }
            }
            W.append(w)
            b.append(bias)
            input = Matrix(rows: m, columns: columns)
            for i in 0..<m { for (k, a) in activations[p].apply(z.row(i)).enumerated() { input[i, k] = a } }
        }
        let Y = targets(loss: loss, output: input, &rng)
        return Problem(network: Network(layers: layers, activations: activations, W: W, b: b), loss: loss, X: X, Y: Y)
    }

    /// z = Wᵀa + b for every sample, by the reference's own sum, so the margins checked here are
    /// exactly the reference's values.
    static func preActivations(_ input: Matrix, _ w: Matrix, _ bias: [Double]) -> Matrix {
        var z = Matrix(rows: input.rows, columns: w.columns)
        for i in 0..<input.rows { z.setRow(i, Reference.preActivation(w, bias, input.row(i))) }
        return z
    }

    /// Re-draws b_k until no sample's z_k is within the margin of 0; after 8 draws, a bias that
    /// puts every sample on one side, at least a margin away.
    private func keepClearOfZero(
        unit k: Int, input: Matrix, w: Matrix, bias: inout [Double], z: inout Matrix,
        scale: Double, _ rng: inout SplitMix64
    ) {
        let margin = distribution.kinkMargin
        func clear() -> Bool { (0..<z.rows).allSatisfy { abs(z[$0, k]) >= margin } }
        func recompute() { z = Self.preActivations(input, w, bias) }
        var tries = 0
        while !clear() {
            if tries < 8 {
                bias[k] = rng.normal() * scale * Double(tries + 1)
            } else {
                let reach = (0..<z.rows).map { abs(z[$0, k] - bias[k]) }.max() ?? 0
                let side: Double = Bool.random(using: &rng) ? 1 : -1
                bias[k] = side * (reach + margin * (2 + Double.random(in: 0..<1, using: &rng)))
            }
            recompute()
            tries += 1
            if tries > 10 { return }  // the final check re-draws the case
        }
    }

    /// Targets in the loss's domain. For the regression losses y = a − r with residuals r drawn
    /// across scales, so huber sees both of its branches and log_cosh its linear tails; an
    /// absolute_error residual within the margin of 0 is re-drawn. Hinge targets are ±1, flipped
    /// when y·a is within the margin of 1.
    private func targets(loss: Loss, output a: Matrix, _ rng: inout SplitMix64) -> Matrix {
        let margin = distribution.kinkMargin
        var Y = Matrix(rows: a.rows, columns: a.columns)
        let residualScale = rng.logUniform(1e-2, 1e2)
        for i in 0..<a.rows {
            switch loss {
            case .squaredError, .huber, .logCosh, .absoluteError:
                for k in 0..<a.columns {
                    var r = rng.normal() * residualScale
                    while loss.kinkDistance(residual: r) < margin { r = rng.normal() * max(residualScale, margin * 4) }
                    Y[i, k] = a[i, k] - r
                }
            case .crossEntropy:
                if distribution.family.crossEntropyLabels == .hard || Bool.random(using: &rng) {
                    Y[i, Int.random(in: 0..<a.columns, using: &rng)] = 1
                } else {
                    let weights = (0..<a.columns).map { _ in -Double.log(Double.random(in: Double.ulpOfOne..<1, using: &rng)) }
                    let total = weights.reduce(0, +)
                    for k in 0..<a.columns { Y[i, k] = weights[k] / total }
                }
            case .binaryCrossEntropy:
                let hard = distribution.family.binaryLabels == .hard || Bool.random(using: &rng)
                for k in 0..<a.columns {
                    Y[i, k] = hard ? (Bool.random(using: &rng) ? 1 : 0) : Double.random(in: 0...1, using: &rng)
                }
            case .hinge:
                for k in 0..<a.columns {
                    var y: Double = Bool.random(using: &rng) ? 1 : -1
                    if abs(1 - y * a[i, k]) < margin { y = -y }
                    Y[i, k] = y
                }
            }
        }
        return Y
    }

    /// How widely scales are drawn: the first draws of a case range widely; when they keep
    /// overflowing they are tamed, and at last made to shrink every layer's signal, which is finite
    /// at any depth.
    enum ScaleRegime { case wide, tame, contracting }

    /// A scale drawn across orders of magnitude: 70 % of draws in [0.3, 3], the rest in [10⁻³, 10²]
    /// (tame: always [0.3, 3]; contracting: 0.5).
    private func scale(_ rng: inout SplitMix64, _ regime: ScaleRegime) -> Double {
        let extreme = Double.random(in: 0..<1, using: &rng) < 0.3
        switch regime {
        case .wide: return extreme ? rng.logUniform(1e-3, 1e2) : rng.logUniform(0.3, 3)
        case .tame: return rng.logUniform(0.3, 3)
        case .contracting: return 0.5
        }
    }

    /// An integer in `range`, log-uniform: P(n) ∝ log((n + 1)/n).
    private func logUniformInt(_ range: ClosedRange<Int>, _ rng: inout SplitMix64) -> Int {
        let x = rng.logUniform(Double(range.lowerBound), Double(range.upperBound + 1))
        return min(max(Int(x), range.lowerBound), range.upperBound)
    }
}
