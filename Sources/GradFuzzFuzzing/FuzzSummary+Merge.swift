import GradFuzzCore

/// Why the summaries given cannot be merged into one run's: one line, naming the files and what
/// was expected.
public struct ShardMergeError: Error, CustomStringConvertible, Equatable, Sendable {
    public var description: String

    public init(_ description: String) { self.description = description }
}

extension FuzzSummary {
    /// The summary of a whole run from its shards' summaries, as the unsharded run would have
    /// written it.
    ///
    /// Shard K of N runs the iterations i ≡ K − 1 (mod N) and every case is the same case on any
    /// machine, so the shards partition the run: every count is the sum of the shards' counts
    /// (cases, entries, networks by depth, layers by width, declined by name, each coverage cell),
    /// the findings are the `findingsKept` lowest iterations of the union of the shards' lists (each
    /// shard kept its own lowest, which include the union's), and the fixtures are the union of the
    /// shards' (a fixture's name is the hash of its case, so one case is one name). Only the timings
    /// differ from the unsharded run's: `elapsedSeconds` is the longest shard's (the wall-clock time of
    /// shards run side by side) and `casesPerSecond` the cases run over that time.
    ///
    /// Refused: summaries of different runs (seed, --iters, the number of shards, the program, the
    /// family, the tolerance or shrinking differ), a shard given twice (its cases would count twice),
    /// a summary that is itself a partial merge, and — unless `allowPartial` — a shard missing.
    /// Each summary comes with its source (its file), which the errors name.
    public static func merging(
        _ named: [(source: String, summary: FuzzSummary)], allowPartial: Bool = false
    ) throws(ShardMergeError) -> FuzzSummary {
        guard let first = named.first?.summary else { throw ShardMergeError("expected at least one summary to merge") }
        for (source, summary) in named {
            if let shards = summary.mergedShards {
                throw ShardMergeError(
                    "\(source) is already a partial merge (of shards \(shards.map(\.description).joined(separator: ", "))); "
                        + "expected the shards' own summaries (gradfuzz fuzz --shard K/N --json FILE)")
            }
            let differences = summary.runDifferences(from: first)
            if !differences.isEmpty {
                throw ShardMergeError(
                    "\(source) is not a shard of the same run as \(named[0].0): \(differences.joined(separator: "; ")); "
                        + "expected the summaries of one run's shards (the same --seed, --iters, N of --shard, program, family and tolerance)")
            }
        }
        var byIndex: [Int: String] = [:]
        for (source, summary) in named {
            if let other = byIndex[summary.shard.index] {
                throw ShardMergeError(
                    "\(other) and \(source) are both shard \(summary.shard); expected each shard once (its cases would count twice)")
            }
            byIndex[summary.shard.index] = source
        }
        let count = first.shard.count
        let missing = (1...count).filter { byIndex[$0] == nil }
        if !missing.isEmpty && !allowPartial {
            throw ShardMergeError(
                "shard\(missing.count == 1 ? "" : "s") \(missing.map { "\($0)/\(count)" }.joined(separator: ", ")) of the run "
                    + "\(missing.count == 1 ? "is" : "are") missing; expected the summaries of all \(count) shards, "
                    + "or --allow-partial to merge those given")
        }

        var merged = first.withNothingCounted
        merged.mergedShards = missing.isEmpty ? nil : byIndex.keys.sorted().map { Shard(index: $0, count: count) }
        var fixtures = Set<String>(), elapsed = 0.0
        for summary in named.map(\.summary).sorted(by: { $0.shard.index < $1.shard.index }) {
            for name in Self.counts { merged[keyPath: name] += summary[keyPath: name] }
            merged.shrinkingSeconds += summary.shrinkingSeconds
            merged.interrupted = merged.interrupted || summary.interrupted
            merged.stoppedOnErrors = merged.stoppedOnErrors || summary.stoppedOnErrors
            if merged.stoppedBecause == nil, let why = summary.stoppedBecause {
                merged.stoppedBecause = count == 1 ? why : "shard \(summary.shard): \(why)"
            }
            add(summary.networksByDepth, to: &merged.networksByDepth)
            add(summary.layersByWidth, to: &merged.layersByWidth)
            merged.declinedByLoss.merge(summary.declinedByLoss, uniquingKeysWith: +)
            merged.declinedByActivation.merge(summary.declinedByActivation, uniquingKeysWith: +)
            for cell in summary.coverage {
                guard let t = merged.coverage.firstIndex(where: { $0.activation == cell.activation && $0.loss == cell.loss }) else { continue }
                merged.coverage[t].checked += cell.checked
                merged.coverage[t].failed += cell.failed
                merged.coverage[t].declined += cell.declined
            }
            for finding in summary.failed { keep(finding, in: &merged.failed) }
            for finding in summary.declinedCases { keep(finding, in: &merged.declinedCases) }
            for finding in summary.oracleUnusableCases { keep(finding, in: &merged.oracleUnusableCases) }
            for finding in summary.errorCases { keep(finding, in: &merged.errorCases) }
            fixtures.formUnion(summary.fixtures)
            elapsed = max(elapsed, summary.elapsedSeconds)
        }
        merged.fixtures = fixtures.sorted()
        merged.elapsed = elapsed
        merged.applyFixtureQuota()
        return merged
    }

    /// Each shard kept `FixtureQuota.perKind` fixtures of each kind of mistake; the whole run keeps
    /// that many of its lowest iterations. Findings beyond them are counted as not written, as the
    /// unsharded run counts them, and their files, which their shards did write, are listed in
    /// `beyondQuota` (never removed: they are the shards' output).
    mutating func applyFixtureQuota() {
        var keptOfKind: [String: [String]] = [:]
        var demoted: [String: String] = [:]
        for index in failed.indices {
            guard let kind = failed[index].kind, let id = failed[index].shrunkTo else { continue }
            var kept = keptOfKind[kind, default: []]
            if kept.contains(id) || kept.count < FixtureQuota.perKind {
                if !kept.contains(id) { kept.append(id) }
                keptOfKind[kind] = kept
                continue
            }
            casesNotWritten += failed[index].fixture == nil ? 0 : 1
            if let path = failed[index].fixture { demoted[id] = path }
            failed[index].fixture = nil
            failed[index].fixtureError = "not written: \(FixtureQuota.perKind) fixtures of its kind of mistake are written already"
        }
        let stillKept = Set(failed.compactMap(\.fixture))
        let surplus = Set(demoted.values).subtracting(stillKept)
        fixturesNotWritten += surplus.count
        fixtures.removeAll { surplus.contains($0) }
        beyondQuota = surplus.isEmpty ? nil : surplus.sorted()
    }

    /// The same run, whole, before any case: every count zero, every list empty.
    private var withNothingCounted: FuzzSummary {
        var empty = self
        empty.shard = .whole
        empty.mergedShards = nil
        empty.interrupted = false
        empty.stoppedOnErrors = false
        empty.stoppedBecause = nil
        for name in Self.counts { empty[keyPath: name] = 0 }
        empty.networksByDepth = networksByDepth.map { _ in 0 }
        empty.layersByWidth = layersByWidth.map { _ in 0 }
        empty.declinedByLoss = [:]
        empty.declinedByActivation = [:]
        for t in empty.coverage.indices {
            empty.coverage[t].checked = 0
            empty.coverage[t].failed = 0
            empty.coverage[t].declined = 0
        }
        empty.failed = []
        empty.declinedCases = []
        empty.oracleUnusableCases = []
        empty.errorCases = []
        empty.fixtures = []
        empty.elapsed = 0
        empty.shrinkingSeconds = 0
        return empty
    }

    /// The counts that are sums over cases.
    private static var counts: [WritableKeyPath<FuzzSummary, Int>] {
        [
            \.iterationsPlanned, \.iterationsRun, \.entriesChecked, \.entriesNotCheckableAtKinks, \.checked, \.passed,
            \.failures, \.failingEntries, \.declined, \.oracleUnusable, \.errors, \.casesNotWritten, \.fixturesNotWritten,
            \.casesShrunk, \.shrinkCandidatesChecked,
        ]
    }

    /// Adds `counts` entry by entry into `total`, growing it if it is shorter.
    private static func add(_ counts: [Int], to total: inout [Int]) {
        if total.count < counts.count { total += Array(repeating: 0, count: counts.count - total.count) }
        for (i, n) in counts.enumerated() { total[i] += n }
    }

    /// How this summary's run differs from `other`'s ("seed 7, not 5"); empty when both are shards
    /// of one run.
    func runDifferences(from other: FuzzSummary) -> [String] {
        var differences: [String] = []
        func differ<T: Equatable>(_ name: String, _ mine: T, _ theirs: T, _ show: (T) -> String = { "\($0)" }) {
            if mine != theirs { differences.append("\(name) \(show(mine)), not \(show(theirs))") }
        }
        differ("seed", seed, other.seed)
        differ("--iters", totalIterations, other.totalIterations)
        differ("shards", shard.count, other.shard.count)
        differ("program", implementation, other.implementation)
        differ("family", distribution, other.distribution) { $0.summary }
        differ("tolerance", tolerance, other.tolerance) { "\($0.precision.rawValue), rtol \($0.rtol), atol \($0.atol)" }
        differ("shrinking", shrink, other.shrink) { $0 ? "on" : "off (--no-shrink)" }
        return differences
    }
}
