import Foundation
import GradFuzz
import Synchronization

/// On a terminal, one line rewritten in place (at most 10 times a second); otherwise a plain line
/// every 5 seconds. Written to standard error, so standard output holds only the report.
final class ProgressLine: Sendable {
    private let terminal = isatty(STDERR_FILENO) != 0
    /// When the line was last written, and whether it has been: updates come from many tasks.
    private let state = Mutex((last: ContinuousClock.now, shown: false))

    func update(_ summary: FuzzSummary) {
        let due = state.withLock { state in
            let now = ContinuousClock.now
            guard now - state.last >= (terminal ? .milliseconds(100) : .seconds(5)) else { return false }
            state.last = now
            state.shown = true
            return true
        }
        if due { write(summary) }
    }

    func finish(_ summary: FuzzSummary) {
        if terminal && state.withLock({ $0.shown }) { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    private func write(_ summary: FuzzSummary) {
        let done = summary.iterationsRun, total = summary.iterationsPlanned
        let rate = summary.casesPerSecond
        let eta = rate > 0 ? min(Double(total - done) / rate, 1e12) : 0
        let errors = summary.errors > 0 ? "  \(summary.errors) errors" : ""
        let text = "\(done)/\(total) iterations  \(Int(rate.rounded()))/s  \(summary.failures) failures\(errors)  ETA \(Int(eta.rounded()))s"
        FileHandle.standardError.write(Data((terminal ? "\r\u{1B}[K" + text : text + "\n").utf8))
    }
}
