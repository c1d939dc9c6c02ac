import Foundation
import GradFuzzCore
import GradFuzzOracle

/// Why a fixture could not be written.
public struct FixtureStoreError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(description: String) { self.description = description }
}

/// A directory of found fixtures (fixtures/found/ by default), each named by a hash of its problem.
///
/// A file is written whole or not at all: to a temporary file in the same directory (".NAME.tmp-PID-N",
/// which nothing reads as a fixture), then hard-linked to its name, which fails rather than replaces
/// when the name is taken. A name that is taken by the
/// same problem (found again, by another job, shard or run) is left as it is; one taken by a
/// different problem (a hash collision, or a file edited by hand) is never overwritten: the fixture
/// takes the next free name, "-2", "-3", ….
public struct FixtureStore: Sendable {
    public var directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    /// The directory exists (created when missing) and a file can be written in it; or why not.
    /// Temporary files that a killed run left behind (their process is gone) are removed.
    public func prepare() throws(FixtureStoreError) {
        let manager = FileManager.default
        do throws(OutputFileError) { try OutputFile.createDirectory(directory.path) } catch {
            throw FixtureStoreError(description: "cannot create the fixture directory \(directory.relativePath): \(error.reason)")
        }
        TemporaryFile.removeStale(in: directory.path)
        // Named as a temporary file, so that a run killed just here leaves nothing the next one keeps.
        let probe = URL(fileURLWithPath: TemporaryFile.path(for: "gradfuzz-write-test", in: directory.path))
        guard manager.createFile(atPath: probe.path, contents: Data()) else {
            throw FixtureStoreError(description: "cannot write in the fixture directory \(directory.relativePath)")
        }
        try? manager.removeItem(at: probe)
    }

    /// 16 hex digits of the FNV-1a hash of the problem's numbers and names: the same problem always
    /// gets the same name, on any machine. Numbers that read back equal hash alike: −0.0 as 0.0
    /// (every other number's shortest round-trip decimal is already its only one).
    public static func contentHash(_ problem: Problem) -> String {
        let net = problem.network
        func canonical(_ values: [Double]) -> [Double] { values.map { $0 == 0 ? 0 : $0 } }
        let text =
            "layers \(net.layers) activations \(net.activations.map(\.rawValue)) loss \(problem.loss.rawValue) "
            + "W \(net.W.map { canonical($0.storage) }) b \(net.b.map(canonical)) X \(canonical(problem.X.storage)) Y \(canonical(problem.Y.storage))"
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Writes `problem` as a fixture with the reference's and the oracle's values, and returns its path.
    /// `origin.command` is filled in with `replayCommand(path)`, the caller's command that replays the file
    /// (quoting the path as its shell needs).
    /// `tolerance` is stored in the fixture: what replay and validate apply to it by default.
    public func write(
        _ problem: Problem, origin: Fixture.Origin,
        replayCommand: (String) -> String = { "gradfuzz replay \($0)" },
        headline: String, tolerance: Tolerance = .float64
    ) throws(FixtureStoreError) -> URL {
        try prepare()
        let hash = Self.contentHash(problem)
        var origin = origin
        var description = "Found by gradfuzz"
        if let seed = origin.seed, let iteration = origin.iteration { description += " (seed \(seed), iteration \(iteration))" }
        if let implementation = origin.implementation { description += " testing \(implementation)" }
        if let layers = origin.unshrunkLayers, let batch = origin.unshrunkBatch {
            description += "; shrunk from layers \(layers), batch \(batch) to layers \(problem.network.layers), batch \(problem.batchSize)"
        }
        if !headline.isEmpty { description += "; \(headline)" }
        var fixture = Fixture(id: "fuzz-\(hash)", description: description, origin: origin, problem: problem, tolerance: tolerance)
        let oracle = fixture.oracle ?? OracleResult(dW: [], db: [], delta: [])
        let oracleValues = oracle.dW.flatMap { $0.value.storage + $0.error.storage } + oracle.db.flatMap { $0.value.storage + $0.error.storage }
        guard oracleValues.allSatisfy(\.isFinite) else {
            throw FixtureStoreError(description: "the oracle has no finite value for some entry of this case: not written")
        }
        for attempt in 1... {
            let name = attempt == 1 ? "fuzz-\(hash).json" : "fuzz-\(hash)-\(attempt).json"
            let url = directory.appendingPathComponent(name)
            origin.command = replayCommand(url.relativePath)
            fixture.origin = origin
            fixture.id = attempt == 1 ? "fuzz-\(hash)" : "fuzz-\(hash)-\(attempt)"
            if try place(fixture.json(), at: url) { return url }
            if let existing = try? Fixture.read(from: url, oracle: nil), existing.problem == problem { return url }
        }
        fatalError("unreachable: the loop above returns")
    }

    /// Links a fully written temporary file to `url`; false when the name is already taken.
    private func place(_ data: Data, at url: URL) throws(FixtureStoreError) -> Bool {
        let temporary = URL(fileURLWithPath: TemporaryFile.path(for: url.lastPathComponent, in: directory.path))
        do { try data.write(to: temporary) } catch {
            throw FixtureStoreError(description: "cannot write \(temporary.relativePath): \(error.localizedDescription)")
        }
        defer { unlink(temporary.path) }
        if link(temporary.path, url.path) == 0 { return true }
        let code = errno
        if code == EEXIST { return false }
        throw FixtureStoreError(description: "cannot create \(url.relativePath): \(String(cString: strerror(code)))")
    }
}
