import Foundation
import GradFuzzCore
import GradFuzzFixtures
import GradFuzzStudents
import GradFuzzTestSupport
import Testing

@testable import GradFuzzOracle

/// Every committed fixture: the unit-level oracle and the per-entry oracle agree on every entry of
/// dW, db and g within the sum of their error estimates (`OracleAgreement`), and the fixture's
/// stored oracle values (written by whichever oracle was the default then) agree with both.
@Test(arguments: ["fixtures/curated", "fixtures/exams", "fixtures/oracle-regressions", "fixtures/float32-regressions"])
func bothOraclesAgreeOnEveryCommittedFixture(folder: String) throws {
    let files = try Fixture.files(in: [packageRoot.appendingPathComponent(folder).path])
    #expect(!files.isEmpty, "no fixtures in \(folder)")
    for file in files {
        let fixture = try Fixture.read(from: file, oracle: nil)
        let units = Oracle(method: .units).differentiate(fixture.problem)
        let entries = Oracle(method: .entries).differentiate(fixture.problem)
        let agreement = OracleAgreement(units, entries)
        #expect(agreement.agrees, "\(file.lastPathComponent): \(agreement.disagreements) entries disagree, e.g. \(agreement.examples.prefix(3))")
        #expect(agreement.compared > 0, "\(file.lastPathComponent): nothing compared")
        if let stored = fixture.oracle {
            let againstStored = OracleAgreement(units, stored)
            #expect(againstStored.agrees, "\(file.lastPathComponent) (stored values): \(againstStored.examples.prefix(3))")
        }
    }
}

/// A relu unit exactly at z = 0 in sample 0 (and not in sample 1): its g entry crosses the kink,
/// and with it db and the dW entries summed from it whose input in sample 0 is not 0; an entry
/// whose input there is 0 (x_1 of sample 0) and the other unit's column are checkable, as the
/// per-entry oracle finds them.
@Test func aKinkInOneSampleMarksOnlyTheEntriesSummedFromIt() {
    let network = Network(
        layers: [2, 2, 1], activations: [.relu, .identity],
        W: [Matrix(rows: [[1, 1], [2, 1]], columns: 2), Matrix(rows: [[0.5], [-0.7]], columns: 1)], b: [[-1, 0.3], [0.1]])
    let X = Matrix(rows: [[1, 0], [0.5, 0.5]], columns: 2)
    let problem = Problem(network: network, loss: .squaredError, X: X, Y: Matrix(rows: [[0.2], [-0.4]], columns: 1))
    let units = Oracle(method: .units).differentiate(problem)
    let entries = Oracle(method: .entries).differentiate(problem)
    #expect(units.delta[0].kink == [true, false, false, false])
    #expect(units.db[0].kink == [true, false])
    #expect(units.dW[0].kink == [true, false, false, false], "dW^(1) is [[x_0 → unit 0, x_0 → unit 1], [x_1 → unit 0, x_1 → unit 1]]")
    #expect(units.dW[1].kink == [false, false] && units.db[1].kink == [false])
    #expect(units.dW[0].kink == entries.dW[0].kink && units.db[0].kink == entries.db[0].kink)
}

/// dW and db summed from g carry GSL's estimates: each dW entry's error is at least
/// (1/m) Σ_i |a_j^(i)| e(g^(i)), and the unit oracle's g is the per-entry oracle's, value and error.
@Test func theSummedEntriesCarryTheErrorsOfTheUnits() {
    let problem = randomProblem([3, 4, 2], [.tanh, .softmax], .crossEntropy, batch: 5, seed: 21)
    let units = Oracle(method: .units).differentiate(problem)
    let entries = Oracle(method: .entries).differentiate(problem)
    #expect(units.delta == entries.delta, "g differs between the methods")
    let forward = Reference.forward(problem)
    for p in 0..<2 {
        let inputs = p == 0 ? problem.X : forward.a[p - 1]
        for j in 0..<units.dW[p].value.rows {
            for k in 0..<units.dW[p].value.columns {
                let carried = (0..<5).reduce(0.0) { $0 + abs(inputs[$1, j]) * units.delta[p].error[$1, k] } / 5
                #expect(units.dW[p].error[j, k] >= carried, "layer \(p + 1) dW[\(j), \(k)]")
            }
        }
    }
}

/// Replaying a problem file differentiates its problem once: reading it computes no oracle.
@Test func replayComputesEachProblemsOracleOnce() async throws {
    let directory = try temporaryDirectory("replay-once")
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("mine.json")
    try JSONEncoder().encode(RawProblem(randomProblem([3, 4, 2], [.tanh, .identity], .squaredError, batch: 2, seed: 4))).write(to: file)
    let counter = Oracle.Counter()
    let report = await Oracle.$differentiations.withValue(counter) {
        await Replay.run([file], implementation: ReferenceImplementation())
    }
    #expect(report.results.count == 1 && report.results.first?.outcome == .pass)
    #expect(counter.count == 1, "the oracle was computed \(counter.count) times")
}
