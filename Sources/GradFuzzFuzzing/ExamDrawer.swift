import GradFuzzCore
import GradFuzzFixtures
import RealModule

/// Draws an exam's candidate problems: candidate i from `SplitMix64(seed: seed, stream: i)`.
struct ExamDrawer: Sendable {
    var family: Family
    var seed: UInt64
    var size: Exam.Size = .small

    /// `r` with its upper bound lowered to `upTo` (never below its lower bound): candidates stay small.
    private static func small(_ r: ClosedRange<Int>, _ upTo: Int) -> ClosedRange<Int> {
        r.lowerBound...min(r.upperBound, max(r.lowerBound, upTo))
    }

    func problem(candidate: Int) -> Problem {
        var rng = SplitMix64(seed: seed, stream: UInt64(candidate))
        while true {
            if let p = draw(&rng) { return p }
        }
    }

    private func draw(_ rng: inout SplitMix64) -> Problem? {
        let depths = family.possibleDepths!
        let depth = Int.random(in: Self.small(depths, size.depth), using: &rng)
        let widths = Self.small(family.width, size.width), outputs = Self.small(family.outputWidth, size.outputs)
        let batch = Int.random(in: Self.small(family.batch, size.batch), using: &rng)
        // Half the candidates have equal input and hidden widths, where the index mistakes show.
        let equal = Bool.random(using: &rng)
        let common = Int.random(in: widths, using: &rng)
        var layers = (0..<depth).map { _ in equal ? common : Int.random(in: widths, using: &rng) }
        layers.append(equal && outputs.contains(common) && Bool.random(using: &rng) ? common : Int.random(in: outputs, using: &rng))

        let loss = family.drawableLosses.randomElement(using: &rng)!
        var activations = (0..<(depth - 1)).map { _ in family.hiddenActivations.randomElement(using: &rng)! }
        activations.append(family.outputActivations(for: loss).randomElement(using: &rng)!)
        if family.sameActivation && depth > 1 {
            guard let shared = family.sharedActivations(for: loss).randomElement(using: &rng) else { return nil }
            activations = Array(repeating: shared, count: depth)
        }
        // A softmax of one unit is always 1: its gradient says nothing.
        if activations[depth - 1] == .softmax && layers[depth] < 2 {
            guard outputs.upperBound >= 2 else { return nil }
            layers[depth] = Int.random(in: max(2, outputs.lowerBound)...outputs.upperBound, using: &rng)
        }

        let X = Matrix(rows: (0..<batch).map { _ in Self.distinct(layers[0], scale: 1, &rng) }, columns: layers[0])
        var W: [Matrix] = [], b: [[Double]] = []
        var a = X
        for l in 0..<depth {
            let (rows, columns) = (layers[l], layers[l + 1])
            let scale = 1.5 / Double(rows).squareRoot()
            let w = Matrix(rows: (0..<rows).map { _ in Self.distinct(columns, scale: scale, &rng) }, columns: columns)
            let bias = Self.distinct(columns, scale: 0.5, &rng)
            var z = Matrix(rows: batch, columns: columns)
            for i in 0..<batch { z.setRow(i, Reference.preActivation(w, bias, a.row(i))) }
            let f = activations[l]
            // Clear of saturation (sigmoid, tanh, softmax keep a usable slope) and, for relu-like units, alive for some sample.
            if [.sigmoid, .tanh, .softmax].contains(f) && z.storage.contains(where: { abs($0) > 4 }) { return nil }
            if f.hasKinkAtZero && (0..<columns).contains(where: { k in (0..<batch).allSatisfy { z[$0, k] <= 0 } }) { return nil }
            W.append(w)
            b.append(bias)
            a = Matrix(rows: batch, columns: columns)
            for i in 0..<batch { a.setRow(i, f.apply(z.row(i))) }
        }
        let Y = Matrix(rows: (0..<batch).map { i in targets(loss, output: a.row(i), &rng) }, columns: layers[depth])
        let problem = Problem(network: Network(layers: layers, activations: activations, W: W, b: b), loss: loss, X: X, Y: Y)
        guard problem.isFuzzable(kinkMargin: Exam.kinkMargin), family.contains(problem) else { return nil }
        return problem
    }

    /// `count` values of magnitude in [0.2, 1.2]·scale, random signs, no two within 0.05·scale.
    static func distinct(_ count: Int, scale: Double, _ rng: inout SplitMix64) -> [Double] {
        var values: [Double] = []
        while values.count < count {
            let v = (Bool.random(using: &rng) ? 1 : -1) * Double.random(in: 0.2...1.2, using: &rng)
            if values.allSatisfy({ abs($0 - v) >= 0.05 }) { values.append(v) }
        }
        return values.map { $0 * scale }
    }

    /// One sample's targets, given its output a, in the loss's domain and the family's labels.
    private func targets(_ loss: Loss, output a: [Double], _ rng: inout SplitMix64) -> [Double] {
        let hard = family.labels(for: loss) == .hard
        switch loss {
        case .crossEntropy:
            if hard {
                var y = [Double](repeating: 0, count: a.count)
                y[Int.random(in: 0..<a.count, using: &rng)] = 1
                return y
            }
            let e = Self.distinct(a.count, scale: 1, &rng).map { Double.exp($0) }
            let total = e.reduce(0, +)
            return e.map { $0 / total }
        case .binaryCrossEntropy:
            return a.map { _ in hard ? (Bool.random(using: &rng) ? 1 : 0) : Double.random(in: 0.1...0.9, using: &rng) }
        case .hinge:
            return a.map { v in
                let y: Double = Bool.random(using: &rng) ? 1 : -1
                return abs(1 - y * v) < Exam.kinkMargin ? -y : y
            }
        case .huber:
            // Residuals on both sides of |r| = 1.
            return a.map { v in
                let r =
                    (Bool.random(using: &rng) ? 1 : -1)
                    * (Bool.random(using: &rng)
                        ? Double.random(in: 0.2...0.8, using: &rng)
                        : Double.random(in: 1.2...2, using: &rng))
                return v - r
            }
        case .squaredError, .absoluteError, .logCosh:
            return zip(a, Self.distinct(a.count, scale: 1, &rng)).map { $0 - $1 }
        }
    }
}
