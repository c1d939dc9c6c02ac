import Foundation
import GradFuzzCore
import GradFuzzFixtures

/// A failing case ready to be written: its shrunk problem, what it is, and where it came from.
public struct FixtureCandidate: Sendable {
    public var iteration: Int
    /// The shrunk problem: the fixture's.
    public var problem: Problem
    /// The fixture's id, a hash of the problem (`FixtureStore.contentHash`): cases that shrank to
    /// the same problem share it.
    public var id: String
    public var kind: MistakeKind
    public var origin: Fixture.Origin
    /// The first failing entry, written into the fixture's description.
    public var headline: String

    public init(iteration: Int, problem: Problem, kind: MistakeKind, origin: Fixture.Origin, headline: String) {
        self.iteration = iteration
        self.problem = problem
        self.id = "fuzz-" + FixtureStore.contentHash(problem)
        self.kind = kind
        self.origin = origin
        self.headline = headline
    }

    /// Writes it into `store` (`FixtureStore.write`): its path, or why it could not be written.
    public func write(
        into store: FixtureStore, replayCommand: (String) -> String, tolerance: Tolerance
    ) -> Result<URL, FixtureStoreError> {
        Result { () throws(FixtureStoreError) in
            try store.write(problem, origin: origin, replayCommand: replayCommand, headline: headline, tolerance: tolerance)
        }
    }
}

/// At most `perKind` fixtures of each kind of mistake (`MistakeKind`): one mistake found in a
/// hundred cases is written a few times, not a hundred.
///
/// Candidates arrive in any order (cases finish in parallel). Of each kind the candidates of the
/// lowest iterations are kept, cases that shrank to the same problem counting once, so the
/// fixtures written are the same for any --jobs. They are written at the end of the run.
public struct FixtureQuota: Sendable {
    /// How many distinct fixtures of one kind are written.
    public static let perKind = 3

    public var perKind: Int
    /// Of each kind, up to `perKind` candidates of distinct problems, lowest iteration first.
    private var kept: [MistakeKind: [FixtureCandidate]] = [:]
    /// Every candidate offered: iteration → fixture id.
    public private(set) var idOfIteration: [Int: String] = [:]

    public init(perKind: Int = FixtureQuota.perKind) {
        self.perKind = perKind
    }

    /// Takes `candidate` in when it is among the lowest `perKind` of its kind so far.
    public mutating func offer(_ candidate: FixtureCandidate) {
        idOfIteration[candidate.iteration] = candidate.id
        var list = kept[candidate.kind, default: []]
        if let same = list.firstIndex(where: { $0.id == candidate.id }) {
            guard candidate.iteration < list[same].iteration else { return }
            list.remove(at: same)
        }
        list.insert(candidate, at: list.firstIndex { $0.iteration > candidate.iteration } ?? list.endIndex)
        kept[candidate.kind] = Array(list.prefix(perKind))
    }

    /// The candidates to write, lowest iteration first.
    public var chosen: [FixtureCandidate] {
        kept.values.flatMap { $0 }.sorted { $0.iteration < $1.iteration }
    }

    /// How many failing cases, and how many distinct fixtures, were found but not written.
    public var notWritten: (cases: Int, fixtures: Int) {
        let written = Set(chosen.map(\.id))
        let left = idOfIteration.values.filter { !written.contains($0) }
        return (left.count, Set(left).count)
    }

    /// Writes the chosen candidates into `store`; each id's path, or why it could not be written.
    public func write(
        into store: FixtureStore, replayCommand: (String) -> String, tolerance: Tolerance
    ) -> [String: Result<URL, FixtureStoreError>] {
        var written: [String: Result<URL, FixtureStoreError>] = [:]
        for candidate in chosen { written[candidate.id] = candidate.write(into: store, replayCommand: replayCommand, tolerance: tolerance) }
        return written
    }
}
