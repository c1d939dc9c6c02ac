import Foundation
import Synchronization

/// The last few kilobytes the child wrote to stderr, and how many bytes it wrote in all, so that
/// a caller can take only what came after a mark (what the program printed while answering one request).
final class StderrTail: Sendable {
    static let keep = 4096
    private struct State {
        var bytes: [UInt8] = []
        var total = 0
    }
    private let state = Mutex(State())

    func append(_ chunk: UnsafeRawBufferPointer) {
        state.withLock { s in
            s.total += chunk.count
            s.bytes.append(contentsOf: chunk.suffix(Self.keep))
            if s.bytes.count > 2 * Self.keep { s.bytes.removeFirst(s.bytes.count - Self.keep) }
        }
    }

    /// How many bytes have come so far: a mark for `text(since:)`.
    var mark: Int { state.withLock { $0.total } }

    /// The tail as text: at most the last 20 lines of the last 4 kB.
    var text: String { text(since: 0) }

    /// The tail of what came after `mark`: at most the last 20 lines of the last 4 kB.
    func text(since mark: Int) -> String {
        let raw = state.withLock { s in Array(s.bytes.suffix(min(Self.keep, max(0, s.total - mark)))) }
        let lines = String(decoding: raw, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        return lines.suffix(21).joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
