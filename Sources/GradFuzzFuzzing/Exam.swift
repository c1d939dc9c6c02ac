import Foundation
import GradFuzzCore
import GradFuzzFixtures
import GradFuzzMutants
import GradFuzzOracle
import RealModule

/// A fixture set that is mutation-complete for a family: every catalogued mistake that can occur
/// in the family fails at least one of its fixtures. Fixtures are chosen greedily from candidates
/// drawn from (seed, candidate index), so the same family and seed give the same exam, byte for
/// byte, and another seed another exam.
///
/// It also covers, where the family has them, the shapes where mistakes outside the catalog show
/// (`Exam.Shape`: no hidden layer, one sample, a layer of one unit, every width different), so that a
/// program whose arrays broadcast or index wrongly on them fails too.
///
/// Candidates are small and well conditioned: values of moderate size, none near 0 and no two in
/// a row alike, pre-activations clear of kinks and of saturation, every relu unit alive for some
/// sample. A mistake counts as caught only where it changes some entry of dW or db beyond the
/// single-precision tolerance, so the exam is complete for float32 programs too, and different
/// mistakes give visibly different answers.
public struct Exam: Sendable {
    public var family: Family
    /// The family's name, used for the fixtures' ids.
    public var name: String
    public var seed: UInt64
    public var fixtures: [Fixture]
    /// For each fixture, the catalogued mistakes it catches, in catalog order.
    public var catches: [[String]]
    /// For each fixture, the shapes it has.
    public var shapes: [[Shape]]
    /// The catalogued mistakes that cannot occur in the family, with why.
    public var cannotOccur: [(mutant: String, why: String)]

    /// How clearly a mistake must change the answer to count as caught.
    public static let catchTolerance = Tolerance.float32
    /// Kinked quantities stay this far from their kinks.
    public static let kinkMargin = 0.05

    /// The seed of the exams committed under fixtures/exams (`gradfuzz fixtures`).
    public static let curatedSeed: UInt64 = 1

    /// The exam of every named family, as committed under fixtures/exams/<name>/.
    public static func curated(oracle: Oracle = Oracle()) throws(BuildError) -> [Exam] {
        var exams: [Exam] = []
        for named in Family.named { exams.append(try build(family: named.family, name: named.name, seed: curatedSeed, oracle: oracle)) }
        return exams
    }

    /// Candidates drawn before giving up on a mistake that can occur but was never caught.
    static let maximumCandidates = 600

    /// Shapes where array code goes wrong in ways the catalog does not name: a (1, n) array taken
    /// for an (n,) one, a sum over the wrong axis, a transposed matrix that a square shape hides.
    public enum Shape: String, CaseIterable, Codable, Sendable {
        case noHiddenLayer = "no hidden layer (depth 1)"
        case oneSample = "one sample (batch 1)"
        case layerOfOneUnit = "a layer of one unit"
        case everyWidthDifferent = "every layer a different width, with a hidden layer where the family has them"

        /// Whether some problem of `family` has this shape.
        public func occurs(in family: Family) -> Bool {
            switch self {
            case .noHiddenLayer: return family.possibleDepths?.contains(1) ?? false
            case .oneSample: return family.batch.contains(1)
            case .layerOfOneUnit: return family.width.contains(1) || family.outputWidth.contains(1)
            case .everyWidthDifferent:
                return !(family.width.lowerBound == family.width.upperBound && family.outputWidth == family.width)
            }
        }

        public func holds(for problem: Problem, in family: Family) -> Bool {
            let layers = problem.network.layers
            switch self {
            case .noHiddenLayer: return problem.network.depth == 1
            case .oneSample: return problem.batchSize == 1
            case .layerOfOneUnit: return layers.contains(1)
            case .everyWidthDifferent:
                return Set(layers).count == layers.count && (problem.network.depth >= 2 || !family.hasHiddenLayers)
            }
        }
    }

    public enum BuildError: Error, CustomStringConvertible {
        case family(String)
        case uncaught([String])

        public var description: String {
            switch self {
            case .family(let why): return "the family has no valid network: \(why)"
            case .uncaught(let names):
                return "no fixture found that catches \(names.joined(separator: ", ")) within \(Exam.maximumCandidates) candidates"
            }
        }
    }

    /// Whether `mutant` fails `problem` clearly (see `catchTolerance`).
    public static func clearlyFails(_ mutant: Mutant, _ problem: Problem) -> Bool {
        mutant.meetsCondition(problem) && mutant.changesResult(on: problem, tolerance: catchTolerance)
    }

    /// The mistakes of the catalog that can occur in `family`, and those that cannot with why.
    public static func mistakes(in family: Family) -> (occur: [Mutant], cannot: [(mutant: String, why: String)]) {
        var occur: [Mutant] = [], cannot: [(String, String)] = []
        for mutant in MutantCatalog.all {
            if let why = mutant.whyCannotOccur(in: family) { cannot.append((mutant.name, why)) } else { occur.append(mutant) }
        }
        return (occur, cannot)
    }

    /// Builds the exam: candidates drawn in order, the one catching the most mistakes (and shapes)
    /// not yet covered taken each time (ties: fewer parameters, then the earlier candidate), until
    /// every mistake that can occur in the family is caught and every shape it has is covered.
    public static func build(family: Family, name: String, seed: UInt64, oracle: Oracle = Oracle()) throws(BuildError) -> Exam {
        if let why = family.problem { throw .family(why) }
        let (occur, cannot) = mistakes(in: family)
        let shapes = Shape.allCases.filter { $0.occurs(in: family) }
        let drawer = ExamDrawer(family: family, seed: seed)
        func covered(_ problem: Problem) -> Set<String> {
            Set(occur.filter { clearlyFails($0, problem) }.map(\.name) + shapes.filter { $0.holds(for: problem, in: family) }.map(\.rawValue))
        }
        var candidates: [(index: Int, problem: Problem, caught: Set<String>)] = []
        var chosen: [(index: Int, problem: Problem)] = []
        var uncaught = Set(occur.map(\.name) + shapes.map(\.rawValue))
        var next = 0
        while !uncaught.isEmpty {
            // Draw candidates until some catches a mistake not yet caught (at least 48 to choose among).
            while next < maximumCandidates && (next < 48 || !candidates.contains { !$0.caught.isDisjoint(with: uncaught) }) {
                let problem = drawer.problem(candidate: next)
                candidates.append((next, problem, covered(problem)))
                next += 1
            }
            var best: (index: Int, problem: Problem, caught: Set<String>)?
            for c in candidates {
                let gain = c.caught.intersection(uncaught).count
                guard gain > 0 else { continue }
                if let b = best {
                    let bestGain = b.caught.intersection(uncaught).count
                    if gain < bestGain || (gain == bestGain && c.problem.network.parameterCount >= b.problem.network.parameterCount) { continue }
                }
                best = c
            }
            guard let best else {
                // Every mistake must be caught; a shape the family makes rare (or impossible) is left out.
                let missed = occur.map(\.name).filter(uncaught.contains)
                if missed.isEmpty { break }
                throw .uncaught(missed)
            }
            chosen.append((best.index, best.problem))
            uncaught.subtract(best.caught)
        }
        let count = chosen.count
        var fixtures: [Fixture] = [], catches: [[String]] = [], shapesOf: [[Shape]] = []
        for (n, c) in chosen.enumerated() {
            let caught = occur.filter { Self.clearlyFails($0, c.problem) }.map(\.name)
            let has = shapes.filter { $0.holds(for: c.problem, in: family) }
            shapesOf.append(has)
            let id = "\(name)-\(n + 1)"
            let description =
                "exam fixture \(n + 1) of \(count) for the family \(name); catches \(caught.joined(separator: ", "))"
                + (has.isEmpty ? "" : "; shapes: \(has.map(\.rawValue).joined(separator: ", "))")
            fixtures.append(
                Fixture(
                    id: id, description: description, origin: Fixture.Origin(kind: "exam", seed: seed, iteration: c.index),
                    problem: c.problem, oracle: oracle))
            catches.append(caught)
        }
        return Exam(family: family, name: name, seed: seed, fixtures: fixtures, catches: catches, shapes: shapesOf, cannotOccur: cannot)
    }

    /// The file name of each fixture in the exam's directory.
    public func fileName(_ fixture: Fixture) -> String { fixture.id + ".json" }

    /// manifest.json: the family, the seed, each fixture with the mistakes it catches, and the
    /// mistakes that cannot occur in the family with why. Its bytes depend only on the exam.
    public func manifest() -> Data {
        struct Entry: Encodable {
            var file: String, id: String, layers: [Int], activations: [String], loss: String, batch: Int, catches: [String], shapes: [String]
        }
        struct Absent: Encodable { var mutant: String; var why: String }
        struct Manifest: Encodable {
            var schema = "gradfuzz-exam/1"
            var name: String
            var family: Family
            var familySummary: String
            var seed: UInt64
            var command: String
            var fixtures: [Entry]
            var mistakesCaught: [String]
            var mistakesThatCannotOccur: [Absent]
        }
        let entries = zip(fixtures, zip(catches, shapes)).map { f, c in
            Entry(
                file: fileName(f), id: f.id, layers: f.problem.network.layers, activations: f.problem.network.activations.map(\.rawValue),
                loss: f.problem.loss.rawValue, batch: f.problem.batchSize, catches: c.0, shapes: c.1.map(\.rawValue))
        }
        let caught = Set(catches.joined())
        let manifest = Manifest(
            name: name, family: family, familySummary: family.summary, seed: seed,
            command: "gradfuzz exam " + (family.options(named: name) + ["--seed", "\(seed)"]).joined(separator: " "),
            fixtures: entries, mistakesCaught: MutantCatalog.all.map(\.name).filter(caught.contains),
            mistakesThatCannotOccur: cannotOccur.map { Absent(mutant: $0.mutant, why: $0.why) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return ((try? encoder.encode(manifest)) ?? Data("{}".utf8)) + Data("\n".utf8)
    }

    /// Writes the fixtures and manifest.json into `directory` (created if needed).
    public func write(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for fixture in fixtures { try fixture.write(to: directory.appendingPathComponent(fileName(fixture))) }
        try OutputFile.write(manifest(), to: directory.appendingPathComponent(Fixture.manifestName).path)
    }
}

/// Draws an exam's candidate problems: candidate i from `SplitMix64(seed: seed, stream: i)`.
struct ExamDrawer: Sendable {
    var family: Family
    var seed: UInt64

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
        let depth = Int.random(in: Self.small(depths, 3), using: &rng)
        let widths = Self.small(family.width, 4), outputs = Self.small(family.outputWidth, 3)
        let batch = Int.random(in: Self.small(family.batch, 3), using: &rng)
        // Half the candidates have equal input and hidden widths, where the index mistakes show.
        let equal = Bool.random(using: &rng)
        let common = Int.random(in: widths, using: &rng)
        var layers = (0..<depth).map { _ in equal ? common : Int.random(in: widths, using: &rng) }
        layers.append(equal && outputs.contains(common) && Bool.random(using: &rng) ? common : Int.random(in: outputs, using: &rng))

        let loss = family.drawableLosses.randomElement(using: &rng)!
        var activations = (0..<(depth - 1)).map { _ in family.hiddenActivations.randomElement(using: &rng)! }
        activations.append(family.outputActivations(for: loss).randomElement(using: &rng)!)

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
