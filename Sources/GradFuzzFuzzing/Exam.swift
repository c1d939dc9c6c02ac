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
        case timeLimit([String])

        public var description: String {
            switch self {
            case .family(let why): return "the family has no valid network: \(why)"
            case .uncaught(let names):
                return "no fixture found that catches \(names.joined(separator: ", ")) within \(Exam.maximumCandidates) candidates"
            case .timeLimit(let names):
                return
                    "the time limit ran out before a fixture was found for \(names.joined(separator: ", ")); expected a smaller --size or family, or a longer --time-limit"
            }
        }
    }

    /// Whether `mutant` fails `problem` clearly (see `catchTolerance`).
    public static func clearlyFails(_ mutant: Mutant, _ problem: Problem) -> Bool {
        ExamCatches(problem, mistakes: [mutant]).caught.contains(mutant.name)
    }

    /// The mistakes of the catalog that can occur in `family`, and those that cannot with why.
    public static func mistakes(in family: Family) -> (occur: [Mutant], cannot: [(mutant: String, why: String)]) {
        var occur: [Mutant] = [], cannot: [(String, String)] = []
        for mutant in MutantCatalog.all {
            if let why = mutant.whyCannotOccur(in: family) { cannot.append((mutant.name, why)) } else { occur.append(mutant) }
        }
        return (occur, cannot)
    }

    /// How large an exam's problems may be: the caps put on the family's depth, widths, output units
    /// and batch (never below its lower bounds). Small problems make answers easy to read and mistakes
    /// easy to tell apart; larger ones reach code that only goes wrong at size.
    public enum Size: String, CaseIterable, Sendable {
        case small, medium, large

        var depth: Int { [3, 4, 5][index] }
        var width: Int { [4, 8, 16][index] }
        var outputs: Int { [3, 5, 10][index] }
        var batch: Int { [4, 8, 16][index] }
        private var index: Int { Self.allCases.firstIndex(of: self)! }
    }

    /// How far a build has come, for a progress line: candidates drawn, fixtures chosen, and the
    /// mistakes and shapes not yet covered.
    public struct Progress: Sendable {
        public var candidates: Int
        public var fixtures: Int
        public var missing: [String]
    }

    /// Builds the exam: candidates drawn in order, the one covering the most mistakes (and shapes)
    /// still needed taken each time (ties: fewer parameters, then the earlier candidate), until every
    /// mistake that can occur in the family is caught `catchEach` times, told apart from the others
    /// where any candidate can (`ExamCatches`), and every shape it has is covered once.
    ///
    /// `oracle` nil leaves the fixtures without oracle values (an exam graded in memory needs none);
    /// `deadline` bounds the time a large family may take; `progress` hears of each candidate batch.
    public static func build(
        family: Family, name: String, seed: UInt64, oracle: Oracle? = Oracle(), size: Size = .small, catchEach: Int = 1,
        deadline: ContinuousClock.Instant? = nil, progress: ((Progress) -> Void)? = nil
    ) throws(BuildError) -> Exam {
        if let why = family.problem { throw .family(why) }
        let (occur, cannot) = mistakes(in: family)
        let shapes = Shape.allCases.filter { $0.occurs(in: family) }
        let drawer = ExamDrawer(family: family, seed: seed, size: size)
        struct Candidate {
            var index: Int
            var problem: Problem
            var catches: ExamCatches
            var shapes: Set<String>
        }
        // Each mistake is needed `catchEach` times, each shape once; a mistake no candidate tells
        // apart from every other (two names for one answer) is taken as caught where it fails.
        var needed = Dictionary(uniqueKeysWithValues: occur.map { ($0.name, catchEach) } + shapes.map { ($0.rawValue, 1) })
        var caughtOnly: Set<String> = []
        func covers(_ c: Candidate) -> Set<String> {
            c.catches.toldApart.union(c.catches.caught.intersection(caughtOnly)).union(c.shapes)
        }
        func gain(_ c: Candidate) -> Int { covers(c).count { (needed[$0] ?? 0) > 0 } }
        var candidates: [Candidate] = [], chosen: [Candidate] = []
        var next = 0
        while needed.values.contains(where: { $0 > 0 }) {
            // Draw candidates until some covers something still needed (at least 48 to choose among).
            while next < maximumCandidates && (next < 48 || !candidates.contains { gain($0) > 0 }) {
                if let deadline, ContinuousClock.now > deadline { throw .timeLimit(needed.filter { $0.value > 0 }.map(\.key).sorted()) }
                let problem = drawer.problem(candidate: next)
                candidates.append(
                    Candidate(
                        index: next, problem: problem, catches: ExamCatches(problem, mistakes: occur),
                        shapes: Set(shapes.filter { $0.holds(for: problem, in: family) }.map(\.rawValue))))
                next += 1
                if next % 16 == 0 { progress?(Progress(candidates: next, fixtures: chosen.count, missing: needed.filter { $0.value > 0 }.map(\.key).sorted())) }
            }
            let best = candidates.filter { gain($0) > 0 }.max { a, b in
                let (ga, gb) = (gain(a), gain(b))
                if ga != gb { return ga < gb }
                let (pa, pb) = (a.problem.network.parameterCount, b.problem.network.parameterCount)
                return pa != pb ? pa > pb : a.index > b.index
            }
            guard let best else {
                let missed = occur.map(\.name).filter { (needed[$0] ?? 0) > 0 }
                // Told apart nowhere: caught where it fails, if anywhere; a shape the family makes rare is left out.
                let fallback = Set(missed).subtracting(caughtOnly).filter { name in candidates.contains { $0.catches.caught.contains(name) } }
                if !fallback.isEmpty {
                    caughtOnly.formUnion(fallback)
                    continue
                }
                if missed.isEmpty { break }
                throw .uncaught(missed)
            }
            chosen.append(best)
            candidates.removeAll { $0.index == best.index }
            for covered in covers(best) { needed[covered, default: 0] -= 1 }
        }
        let count = chosen.count
        var fixtures: [Fixture] = [], catches: [[String]] = [], shapesOf: [[Shape]] = []
        for (n, c) in chosen.enumerated() {
            let caught = occur.map(\.name).filter(c.catches.caught.contains)
            let has = shapes.filter { c.shapes.contains($0.rawValue) }
            shapesOf.append(has)
            let id = "\(name)-\(n + 1)"
            let description =
                "exam fixture \(n + 1) of \(count) for the family \(name); catches \(caught.joined(separator: ", "))"
                + (has.isEmpty ? "" : "; shapes: \(has.map(\.rawValue).joined(separator: ", "))")
            let origin = Fixture.Origin(kind: "exam", seed: seed, iteration: c.index)
            fixtures.append(Fixture(id: id, description: description, origin: origin, problem: c.problem, oracle: oracle))
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

    /// Writes the fixtures and manifest.json as `directory`, replacing whole an earlier exam there
    /// (`OutputDirectory`): no fixture of an older exam stays beside the new ones to be graded.
    public func write(to directory: URL) throws(OutputFileError) {
        let files = fixtures.map { (name: fileName($0), data: $0.json()) } + [(name: Fixture.manifestName, data: manifest())]
        try OutputDirectory.replace(directory.path, with: files, isReplaceable: Self.isPartOfAnExam)
    }

    /// Says now whether an exam could be written as `directory`: absent, empty, or an earlier exam.
    public static func checkOutput(_ directory: String) throws(OutputFileError) {
        try OutputDirectory.check(directory, isReplaceable: isPartOfAnExam)
    }

    /// A fixture or an exam's manifest: what an exam's directory holds.
    static func isPartOfAnExam(_ file: URL) -> Bool {
        file.pathExtension == "json" && ["fixture", "exam manifest"].contains(OutputPaths.gradfuzzInput(at: file.path))
    }
}
