import Foundation
import GradFuzzCore
import GradFuzzOracle
import Testing

@testable import GradFuzzFixtures

@Test func referencePassesTheOracleOnEveryCuratedFixture() throws {
    let fixtures = try curatedFixtures()
    #expect(fixtures.count == CuratedFixtures.recipes.count)
    for fixture in fixtures {
        let verdict = Verdict(answer: Reference.backprop(fixture.problem).answer, oracle: Oracle().differentiate(fixture.problem))
        #expect(verdict.passed, "\(fixture.id):\n\(verdict.table())\n\(verdict.failureDetails())")
        #expect(verdict.kinks == 0, "\(fixture.id) is curated away from kinks, yet \(verdict.kinks) entries sit at one")
    }
}

/// Cases where an earlier oracle cried wolf (a step absorbed in a saturated unit, cancellation across
/// samples), shrunk by the fuzzer: the reference is right, and the oracle must say so.
@Test func theOracleNoLongerCriesWolfOnItsRegressionFixtures() throws {
    let files = try Fixture.files(in: [packageRoot.appendingPathComponent("fixtures/oracle-regressions").path])
    #expect(files.count >= 10)
    for fixture in try files.map({ try Fixture.read(from: $0) }) {
        let verdict = Verdict(answer: Reference.backprop(fixture.problem).answer, oracle: Oracle().differentiate(fixture.problem))
        #expect(verdict.passed, "\(fixture.id):\n\(verdict.table())\n\(verdict.failureDetails())")
    }
}

@Test func storedExpectationsMatchAFreshReferenceRun() throws {
    for fixture in try curatedFixtures() {
        let fresh = Reference.backprop(fixture.problem)
        let stored = fixture.expected
        let verdict = Verdict(answer: fresh.answer, expected: stored.answer, tolerance: Tolerance(rtol: 1e-12, atol: 1e-300))
        #expect(verdict.passed, "\(fixture.id): stored expectations differ from the reference:\n\(verdict.failureDetails())")
        for (name, got, want) in [("z", fresh.z, stored.z), ("a", fresh.a, stored.a)] {
            for l in got.indices {
                let worst = zip(got[l].storage, want[l].storage).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
                #expect(worst <= 1e-12, "\(fixture.id): \(name)[\(l)] differs by \(worst)")
            }
        }
    }
}

@Test func storedOracleValuesAgreeWithTheReference() throws {
    for fixture in try curatedFixtures() {
        let stored = try #require(fixture.oracle)
        let oracleOnly = OracleResult(dW: stored.dW, db: stored.db, delta: stored.delta)
        var answer = fixture.expected.answer
        answer.delta = nil
        let verdict = Verdict(answer: answer, oracle: oracleOnly)
        #expect(verdict.passed, "\(fixture.id):\n\(verdict.failureDetails())")
    }
}

@Test func theCuratedSetCoversWhatTheIssueNames() {
    let recipes = CuratedFixtures.recipes
    for f in Activation.allCases {
        #expect(recipes.contains { $0.activations.dropLast().contains(f) }, "\(f.rawValue) in a hidden layer")
        #expect(recipes.contains { $0.activations.last == f }, "\(f.rawValue) in the output layer")
    }
    for loss in Loss.allCases {
        for output in loss.requiredOutput.map({ [$0] }) ?? Activation.allCases {
            #expect(recipes.contains { $0.loss == loss && $0.activations.last == output }, "\(loss.rawValue) after \(output.rawValue)")
        }
    }
    #expect(recipes.contains { $0.layers == [1, 1] })
    #expect(recipes.contains { $0.layers.count == 2 })
    #expect(recipes.contains { $0.batch == 1 })
    #expect(recipes.contains { $0.layers.count - 1 >= 8 })
    #expect(recipes.contains { $0.layers.contains { $0 >= 64 } })
    #expect(recipes.contains { $0.activations.dropLast().contains(.softmax) })
    #expect(recipes.contains { $0.nearKink != nil })
}
