import GradFuzzCore
import GradFuzzMutants
import GradFuzzOracle
import Testing

@testable import GradFuzzFuzzing

/// The catalog's missing 1/m: dW and db summed over the batch, m times too large.
let missingOneOverM = MutantCatalog.named("no_one_over_m")!

let smallCases = Distribution(depth: 1...3, width: 1...6, batch: 1...4)

/// The summary without its timing, which is the only part allowed to differ between runs.
func untimed(_ s: FuzzSummary) -> FuzzSummary {
    var s = s
    s.elapsedSeconds = 0
    s.casesPerSecond = 0
    s.shrinkingSeconds = 0
    return s
}

@Test func sameSeedGivesTheSameCasesAndVerdictsWithOneOrTwoJobs() async {
    func run(jobs: Int) async -> FuzzSummary {
        await Fuzzer(
            FuzzConfiguration(
                seed: 99, iterations: 80, jobs: jobs, distribution: smallCases,
                implementation: missingOneOverM, shrink: false)
        ).run()
    }
    let one = await run(jobs: 1), two = await run(jobs: 2)
    #expect(one.failures > 10, "the wrong implementation should fail many cases, failed \(one.failures)")
    #expect(untimed(one) == untimed(two), "jobs 1: \(one.failures) failures, \(one.entriesChecked) entries; jobs 2: \(two.failures), \(two.entriesChecked)")
    #expect(one.failed.map(\.iteration) == two.failed.map(\.iteration))
}

@Test func shardHalvesCoverTheRunExactly() async {
    for total in [0, 1, 2, 101] {
        let first = Set(Shard(index: 1, count: 2).iterations(of: total)), second = Set(Shard(index: 2, count: 2).iterations(of: total))
        #expect(first.isDisjoint(with: second), "total \(total): shards overlap in \(first.intersection(second))")
        #expect(first.union(second) == Set(0..<total), "total \(total): shards miss \(Set(0..<total).subtracting(first.union(second)))")
    }
    func run(_ shard: Shard) async -> FuzzSummary {
        await Fuzzer(FuzzConfiguration(seed: 5, iterations: 41, jobs: 2, distribution: smallCases, shard: shard)).run()
    }
    let whole = await run(.whole), a = await run(Shard(index: 1, count: 2)), b = await run(Shard(index: 2, count: 2))
    #expect(a.iterationsRun == 21 && b.iterationsRun == 20)
    #expect(a.entriesChecked + b.entriesChecked == whole.entriesChecked)
    #expect(zip(a.networksByDepth, b.networksByDepth).map(+) == whole.networksByDepth)
}

@Test(arguments: ["0/2", "3/2", "1/0", "a/b", "1", "1/2/3", "-1/2"])
func badShardsAreRejected(_ text: String) {
    #expect(throws: InputError.self) { try Shard(parsing: text) }
}

@Test func goodShardsParse() throws {
    #expect(try Shard(parsing: "2/7") == Shard(index: 2, count: 7))
}

/// Every activation (in any layer) with every loss, a few hundred small random cases each: the
/// reference must agree with the oracle, saturated units included (where a step once vanished in
/// rounding and the oracle read a zero derivative: see fixtures/oracle-regressions).
@Test func referencePassesRandomCasesOfEveryActivationAndLoss() async {
    for f in Activation.allCases {
        for loss in Loss.allCases {
            let activations = loss.requiredOutput.map { $0 == f ? [f] : [f, $0] } ?? [f]
            let distribution = Distribution(
                depth: activations.count == 1 ? 1...3 : 2...4, width: 1...4, batch: 1...3,
                activations: activations, losses: [loss])
            let generator = CaseGenerator(seed: 2024, distribution: distribution)
            var exercised = 0
            for i in 0..<200 {
                let p = generator.problem(iteration: i)
                if p.network.activations.contains(f) { exercised += 1 }
                let verdict = Verdict(answer: Reference.backprop(p).answer, oracle: Oracle().differentiate(p))
                let failures = verdict.matrices.flatMap(\.failures)
                if failures.isEmpty { continue }
                Issue.record("\(f.rawValue) × \(loss.rawValue), iteration \(i), layers \(p.network.layers) \(p.network.activations): \(failures[0])")
            }
            #expect(exercised >= 100, "\(f.rawValue) × \(loss.rawValue) exercised by only \(exercised) of 200 cases")
        }
    }
}
