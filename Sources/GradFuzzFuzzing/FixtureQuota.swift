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
/// fixtures kept are the same for any --jobs. A candidate is written as soon as it is kept, so
/// that a run that is killed keeps what it found; one pushed out later by a lower iteration is
/// removed again, if this run created its file.
public struct FixtureQuota: Sendable {
    /// How many distinct fixtures of one kind are written.
    public static let perKind = 3

    public var perKind: Int
    /// Of each kind, up to `perKind` candidates of distinct problems, lowest iteration first.
    private var kept: [MistakeKind: [FixtureCandidate]] = [:]
    /// Every candidate offered: iteration → fixture id.
    public private(set) var idOfIteration: [Int: String] = [:]
    /// The kept candidates written (`take`), by id: the path, or why it could not be written.
    public private(set) var written: [String: Result<URL, FixtureStoreError>] = [:]
    /// The ids whose file this run created (and so may remove).
    private var created: Set<String> = []

    public init(perKind: Int = FixtureQuota.perKind) {
        self.perKind = perKind
    }

    /// Takes `candidate` in when it is among the lowest `perKind` of its kind so far; returns the
    /// ids no longer kept.
    @discardableResult
    public mutating func offer(_ candidate: FixtureCandidate) -> [String] {
        idOfIteration[candidate.iteration] = candidate.id
        var list = kept[candidate.kind, default: []]
        if let same = list.firstIndex(where: { $0.id == candidate.id }) {
            guard candidate.iteration < list[same].iteration else { return [] }
            list.remove(at: same)
        }
        list.insert(candidate, at: list.firstIndex { $0.iteration > candidate.iteration } ?? list.endIndex)
        kept[candidate.kind] = Array(list.prefix(perKind))
        return list.dropFirst(perKind).map(\.id).filter { !isKept($0) }
    }

    /// Offers `candidate`, writes it with `write` when it is kept (and not written yet), and
    /// removes the files this run wrote for candidates no longer kept.
    public mutating func take(_ candidate: FixtureCandidate, in directory: URL, write: (FixtureCandidate) -> Result<URL, FixtureStoreError>) {
        let dropped = offer(candidate)
        if isKept(candidate.id) && written[candidate.id] == nil {
            let path = directory.appendingPathComponent(candidate.id + ".json")
            let existed = FileManager.default.fileExists(atPath: path.path)
            let result = write(candidate)
            written[candidate.id] = result
            if case .success(let url) = result, !existed, url.lastPathComponent == path.lastPathComponent { created.insert(candidate.id) }
        }
        for id in dropped {
            if created.remove(id) != nil, case .success(let url)? = written[id] { try? FileManager.default.removeItem(at: url) }
            written[id] = nil
        }
    }

    func isKept(_ id: String) -> Bool { kept.values.contains { $0.contains { $0.id == id } } }

    /// The candidates kept, lowest iteration first.
    public var chosen: [FixtureCandidate] {
        kept.values.flatMap { $0 }.sorted { $0.iteration < $1.iteration }
    }

    /// How many failing cases, and how many distinct fixtures, were found but not written.
    public var notWritten: (cases: Int, fixtures: Int) {
        let kept = Set(chosen.map(\.id))
        let left = idOfIteration.values.filter { !kept.contains($0) }
        return (left.count, Set(left).count)
    }
}
