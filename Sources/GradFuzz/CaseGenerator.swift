import RealModule

/// What the fuzzer draws from: the ranges of shape and the activations and losses allowed.
///
/// Depth, widths and batch size are drawn within their ranges; every hidden layer's activation is
/// drawn from `activations` (softmax included: it may sit in any layer); the loss from `losses`, and
/// the output activation from those the loss accepts (`Loss.requiredOutput`).
public struct Distribution: Equatable, Codable, Sendable {
    /// L, the number of layers with weights.
    public var depth: ClosedRange<Int>
    /// m_0, …, m_L: each case draws a ceiling uniformly from this range, then each width
    /// log-uniformly up to it. Width 1 comes up in about one layer in four and wide networks in
    /// every run, while the typical case stays small: small cases find most bugs, and the oracle's
    /// cost grows with the square of the number of weights.
    public var width: ClosedRange<Int>
    /// m, the number of samples in the batch.
    public var batch: ClosedRange<Int>
    public var activations: [Activation]
    public var losses: [Loss]
    /// No relu/leaky_relu pre-activation, absolute_error residual a − y or hinge margin 1 − y·a is
    /// drawn closer than this to its kink: 100 × the oracle's step, so that a difference stencil
    /// reaching it, even amplified by the layers in between, is rare.
    public var kinkMargin: Double

    public init(depth: ClosedRange<Int> = 1...6, width: ClosedRange<Int> = 1...24, batch: ClosedRange<Int> = 1...8,
                activations: [Activation] = Activation.allCases, losses: [Loss] = Loss.allCases, kinkMargin: Double = 1e-2) {
        self.depth = depth
        self.width = width
        self.batch = batch
        self.activations = activations
        self.losses = losses
        self.kinkMargin = kinkMargin
    }

    /// The losses that can be drawn: those whose required output activation is allowed.
    public var drawableLosses: [Loss] {
        losses.filter { loss in loss.requiredOutput.map(activations.contains) ?? true }
    }

    /// Why nothing can be drawn from this distribution, or nil when it is usable.
    public var problem: String? {
        if depth.lowerBound < 1 { return "depth must be at least 1, got \(depth.lowerBound)" }
        if width.lowerBound < 1 { return "widths must be at least 1, got \(width.lowerBound)" }
        if batch.lowerBound < 1 { return "batch sizes must be at least 1, got \(batch.lowerBound)" }
        if activations.isEmpty { return "no activation allowed" }
        if losses.isEmpty { return "no loss allowed" }
        if drawableLosses.isEmpty {
            let needs = losses.map { "\($0.rawValue) needs \($0.requiredOutput?.rawValue ?? "?")" }.joined(separator: ", ")
            return "no allowed loss fits an allowed output activation (\(needs))"
        }
        return nil
    }

    /// "depth 1–6, widths 1–24, batch 1–8, activations …, losses …": what a run states first.
    public var summary: String {
        func range(_ r: ClosedRange<Int>) -> String { r.lowerBound == r.upperBound ? "\(r.lowerBound)" : "\(r.lowerBound)–\(r.upperBound)" }
        return "depth \(range(depth)), widths \(range(width)) (log-uniform below a per-case ceiling), batch \(range(batch)), "
            + "activations \(activations.map(\.rawValue).joined(separator: ",")), "
            + "losses \(drawableLosses.map(\.rawValue).joined(separator: ","))"
    }
}

/// Draws the fuzzer's cases: case i is a function of (seed, i) alone, drawn from
/// `SplitMix64(seed: seed, stream: i)`, so it is the same whatever the number of jobs or shards.
///
/// Magnitudes are drawn across orders of magnitude, one scale per layer: most layers near the
/// usual 1/√fan-in, a share anywhere from 10⁻³ to 10² times it. That reaches saturated sigmoid,
/// tanh and softmax, vanishing and exploding signals, tiny and large weights and inputs.
///
/// Kinks are kept `kinkMargin` away by re-drawing the number that decides them, never by skipping
/// the case: a relu/leaky_relu unit's bias (then, failing that, a bias that puts every sample on
/// one side), an absolute_error residual, a hinge target. A case whose reference forward or backward
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
        let d = distribution
        let depth = Int.random(in: d.depth, using: &rng)
        let ceiling = Int.random(in: d.width, using: &rng)
        let layers = (0...depth).map { _ in logUniformInt(d.width.lowerBound...ceiling, &rng) }
        let m = Int.random(in: d.batch, using: &rng)
        let loss = d.drawableLosses.randomElement(using: &rng)!
        var activations = (0..<depth).map { _ in d.activations.randomElement(using: &rng)! }
        activations[depth - 1] = loss.requiredOutput ?? activations[depth - 1]

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
            if activations[p].hasKinkAtZero {
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

    /// z = Wᵀa + b for every sample, summed in the reference's order (b first, then j = 0, 1, …),
    /// so the margins checked here are exactly the reference's values.
    static func preActivations(_ input: Matrix, _ w: Matrix, _ bias: [Double]) -> Matrix {
        var z = Matrix(rows: input.rows, columns: w.columns)
        for i in 0..<input.rows {
            for k in 0..<w.columns {
                var s = bias[k]
                for j in 0..<w.rows { s += w[j, k] * input[i, j] }
                z[i, k] = s
            }
        }
        return z
    }

    /// Re-draws b_k until no sample's z_k is within the margin of 0; after 8 draws, a bias that
    /// puts every sample on one side, at least a margin away.
    private func keepClearOfZero(unit k: Int, input: Matrix, w: Matrix, bias: inout [Double], z: inout Matrix,
                                 scale: Double, _ rng: inout SplitMix64) {
        let margin = distribution.kinkMargin
        func clear() -> Bool { (0..<z.rows).allSatisfy { abs(z[$0, k]) >= margin } }
        func recompute() {
            for i in 0..<z.rows {
                var s = bias[k]
                for j in 0..<w.rows { s += w[j, k] * input[i, j] }
                z[i, k] = s
            }
        }
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
                    while loss == .absoluteError && abs(r) < margin { r = rng.normal() * max(residualScale, margin * 4) }
                    Y[i, k] = a[i, k] - r
                }
            case .crossEntropy:
                if Bool.random(using: &rng) {
                    Y[i, Int.random(in: 0..<a.columns, using: &rng)] = 1
                } else {
                    let weights = (0..<a.columns).map { _ in -Double.log(Double.random(in: Double.ulpOfOne..<1, using: &rng)) }
                    let total = weights.reduce(0, +)
                    for k in 0..<a.columns { Y[i, k] = weights[k] / total }
                }
            case .binaryCrossEntropy:
                let hard = Bool.random(using: &rng)
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

extension Problem {
    /// Whether this is a case the fuzzer may check: a valid problem (shapes, loss and output
    /// activation compatible, targets in the loss's domain), with a finite reference forward and
    /// backward pass below `CaseGenerator.magnitudeLimit`, and no relu/leaky_relu pre-activation,
    /// absolute_error residual or hinge margin within `kinkMargin` of its kink.
    public func isFuzzable(kinkMargin: Double) -> Bool {
        do { _ = try Problem(validating: RawProblem(self)) } catch { return false }
        let g = Reference.backprop(self)
        let limit = CaseGenerator.magnitudeLimit
        func bounded(_ values: [Double]) -> Bool { values.allSatisfy { $0.isFinite && abs($0) <= limit } }
        guard g.cost.isFinite, abs(g.cost) <= limit,
              g.z.allSatisfy({ bounded($0.storage) }), g.a.allSatisfy({ bounded($0.storage) }),
              g.dW.allSatisfy({ bounded($0.storage) }), g.db.allSatisfy(bounded), g.delta.allSatisfy({ bounded($0.storage) })
        else { return false }
        return kinkClearance(g) >= kinkMargin
    }

    /// The distance of the closest kinked quantity from its kink (infinity when there is none).
    func kinkClearance(_ g: Gradients) -> Double {
        var closest = Double.infinity
        for (p, f) in network.activations.enumerated() where f.hasKinkAtZero {
            for z in g.z[p].storage { closest = min(closest, abs(z)) }
        }
        guard loss.hasKink, let output = g.a.last else { return closest }
        for t in output.storage.indices {
            let (a, y) = (output.storage[t], Y.storage[t])
            closest = min(closest, loss == .hinge ? abs(1 - y * a) : abs(a - y))
        }
        return closest
    }
}
