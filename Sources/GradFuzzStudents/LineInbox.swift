import Synchronization

/// Lines of the child's stdout, handed from the reader to whoever waits for the next one.
/// A waiter that is cancelled (the timeout won) gets nil at once.
final class LineInbox: Sendable {
    private struct State {
        var queue: [Session.Event] = []
        var closed = false
        var waiter: CheckedContinuation<Session.Event?, Never>?
        var unfinished = UnfinishedLine()
    }
    private let state = Mutex(State())

    /// The start and the length of a line the program is writing and has not ended yet.
    struct UnfinishedLine: Sendable {
        static let kept = 480
        /// Its first `kept` bytes at most: enough for a message.
        var start: [UInt8] = []
        var count = 0

        /// Whether anything but spaces has been written: a line was begun.
        var isBegun: Bool { start.contains { ![0x20, 0x09, 0x0D].contains($0) } }
    }

    /// What the program has written since its last newline, for a timeout to show.
    var unfinished: UnfinishedLine { state.withLock { $0.unfinished } }

    func writing(_ line: [UInt8]) {
        let unfinished = UnfinishedLine(start: Array(line.prefix(UnfinishedLine.kept)), count: line.count)
        state.withLock { $0.unfinished = unfinished }
    }

    func deliver(_ event: Session.Event) {
        let waiter = state.withLock { s -> CheckedContinuation<Session.Event?, Never>? in
            guard !s.closed else { return nil }
            if let w = s.waiter { s.waiter = nil; return w }
            s.queue.append(event)
            return nil
        }
        waiter?.resume(returning: event)
    }

    /// No more lines: the waiter, and every later call of `next`, gets `.closed`.
    func close() {
        let waiter = state.withLock { s -> CheckedContinuation<Session.Event?, Never>? in
            s.closed = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(returning: .closed)
    }

    func next() async -> Session.Event? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Session.Event?, Never>) in
                let ready = state.withLock { s -> Session.Event?? in
                    if !s.queue.isEmpty { return .some(s.queue.removeFirst()) }
                    if s.closed { return .some(.closed) }
                    if Task.isCancelled { return .some(nil) }
                    s.waiter = continuation
                    return .none
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { s -> CheckedContinuation<Session.Event?, Never>? in
                defer { s.waiter = nil }
                return s.waiter
            }
            waiter?.resume(returning: nil)
        }
    }
}
