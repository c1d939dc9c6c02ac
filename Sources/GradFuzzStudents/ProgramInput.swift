import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A program's stdin: lines written in order on a queue of their own, so that a program that
/// does not read blocks that queue alone (until it ends and the write fails); then closed.
final class ProgramInput: Sendable {
    private let fd: Int32
    private let queue = DispatchQueue(label: "gradfuzz.student.stdin")
    /// Whether `close` was called; whether the descriptor is closed, or broken (the program has
    /// stopped reading for good): then nothing more is written.
    private let state = Mutex((closing: false, done: false))

    init(_ fd: Int32) { self.fd = fd }

    func write(_ bytes: [UInt8]) {
        queue.async { [self] in
            guard !state.withLock({ $0.done }) else { return }
            var start = 0
            while start < bytes.count {
                let n = bytes[start...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    start += n
                } else if errno != EINTR {
                    state.withLock { $0.done = true }  // EPIPE: the program has exited
                    return
                }
            }
        }
    }

    func close() {
        let first = state.withLock { s in
            defer { s.closing = true }
            return !s.closing
        }
        guard first else { return }
        // After the lines already queued.
        queue.async { [self] in
            state.withLock { $0.done = true }
            _ = Glibc.close(fd)
        }
    }
}
