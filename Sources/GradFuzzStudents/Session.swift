import Foundation
import Subprocess
import Synchronization
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// One run of the student's program: a task that owns the child process for its whole life,
/// with a writer for stdin, a reader that splits stdout into lines, and a reader that keeps
/// stderr's tail — concurrent, so no pipe ever blocks the child.
final class Session: Sendable {
    enum Exit: Sendable {
        case terminated(TerminationStatus)
        case failedToStart(StudentError)

        func error(before what: String, stderrTail: String) -> StudentError {
            if case let .failedToStart(error) = self { return error }
            let advice = exitedCleanly ? "; it must keep reading requests until stdin closes" : ""
            return StudentError(.exited, "the program \(ending) before \(what)\(advice)", stderrTail: stderrTail)
        }

        /// "exited (status 1)", "crashed (killed by signal 11, SIGSEGV: a bad memory access)".
        var ending: String {
            switch self {
            case .failedToStart: return "could not be started"
            case let .terminated(.exited(code)): return "exited (status \(code))"
            case let .terminated(.signaled(signal)): return "crashed (killed by signal \(signal)\(Self.signalName(signal)))"
            }
        }

        /// Whether the program exited by itself with status 0, as if its work were done.
        var exitedCleanly: Bool {
            if case .terminated(.exited(0)) = self { return true }
            return false
        }

        static func signalName(_ signal: CInt) -> String {
            switch signal {
            case SIGSEGV: return ", SIGSEGV: a bad memory access"
            case SIGABRT: return ", SIGABRT: the program aborted"
            case SIGFPE: return ", SIGFPE: an arithmetic error"
            case SIGKILL: return ", SIGKILL"
            case SIGBUS: return ", SIGBUS"
            default: return ""
            }
        }
    }

    let inbox = LineInbox()
    let stderr = StderrTail()
    private let ended = Flag()
    /// Whether the child has exited (or never started) and `process` holds how.
    var hasEnded: Bool { ended.isSet }
    private let requests: AsyncStream<[UInt8]>.Continuation
    private let processGroup = ProcessGroup()
    let process: Task<Exit, Never>

    /// `workingDirectory`: where the program runs (nil: gradfuzz's own working directory).
    init(command: [String], maxLineBytes: Int, workingDirectory: String? = nil) {
        let (lines, requests) = AsyncStream<[UInt8]>.makeStream()
        let inbox = inbox, stderr = stderr, processGroup = processGroup, ended = ended
        self.requests = requests
        let executable: Executable = command[0].contains("/") ? .path(FilePath(command[0])) : .name(command[0])
        var options = PlatformOptions()
        options.processGroupID = 0
        process = Task {
            defer { ended.set(); inbox.close() }
            do {
                // Python block-buffers a piped stdout: a student who forgets to flush would look hung.
                let environment = Environment.inherit.updating(["PYTHONUNBUFFERED": "1"])
                let result = try await run(
                    executable, arguments: Arguments(Array(command.dropFirst())), environment: environment,
                    workingDirectory: workingDirectory.map { FilePath($0) },
                    platformOptions: options,
                    input: .inputWriter, output: .sequence, error: .sequence
                ) { execution in
                    processGroup.started(execution.processIdentifier.value)
                    await withTaskGroup(of: Void.self) { group in
                        group.addTask {
                            let writer = execution.standardInputWriter
                            for await line in lines {
                                do { _ = try await writer.write(line) } catch { break }
                            }
                            try? await writer.finish()
                        }
                        group.addTask {
                            var splitter = LineSplitter(limit: maxLineBytes)
                            do {
                                for try await buffer in execution.standardOutput {
                                    buffer.withUnsafeBytes { splitter.feed($0, into: inbox) }
                                }
                            } catch {}
                            splitter.finish(into: inbox)
                            inbox.close()
                            requests.finish()
                        }
                        group.addTask {
                            do {
                                for try await buffer in execution.standardError {
                                    buffer.withUnsafeBytes { stderr.append($0) }
                                }
                            } catch {}
                        }
                    }
                    // The child is reaped only after this body returns: until then its id cannot be reused.
                    processGroup.leaderExiting()
                }
                return .terminated(result.terminationStatus)
            } catch let error as SubprocessError where error.code == .executableNotFound {
                return .failedToStart(StudentError.notOnPath(command[0]))
            } catch {
                return .failedToStart(StudentError(.cannotStart, "cannot start \(ShellWords.quoted(command)): \(error)"))
            }
        }
    }

    func send(_ line: [UInt8]) { requests.yield(line) }

    func closeInput() { requests.finish() }

    /// SIGKILL to the child's whole process group: a shell script's children die with it.
    func kill() {
        processGroup.kill()
        requests.finish()
    }

    /// Once the child has been reaped: SIGKILL to whatever is left of its process group (a
    /// background child that outlived it), which is then no longer tracked.
    func endGroup() { processGroup.end() }

    enum Event: Sendable {
        case line([UInt8]), tooLong, timedOut, closed
        /// The bytes after the last newline when stdout closed: a line the program never ended.
        case unterminated([UInt8])
    }

    /// The next line of stdout, or why there is none, racing the timeout.
    func nextLine(timeout: Duration) async -> Event {
        await withTaskGroup(of: Event?.self) { group in
            group.addTask { await self.inbox.next() }
            group.addTask {
                do { try await Task.sleep(for: timeout); return .timedOut } catch { return nil }
            }
            var event: Event = .timedOut
            if let first = await group.next(), let first { event = first }
            group.cancelAll()
            return event
        }
    }
}

/// The child's process group (the child leads its own group): tracked in `LiveProcessGroups`
/// from the start until `end()`, after the child has been reaped.
final class ProcessGroup: Sendable {
    private struct State {
        var group: pid_t?
        /// Whether the leader may still be running (it is not yet reaped).
        var leaderRunning = false
        /// A kill asked for before the leader's id was known (a timeout while the program was being
        /// spawned, on a loaded machine): carried out the moment it is.
        var killRequested = false

        /// SIGKILL to the group, and to the leader while it is not reaped (its id cannot have been reused).
        func signal() {
            guard let group else { return }
            _ = Glibc.kill(-group, SIGKILL)
            if leaderRunning { _ = Glibc.kill(group, SIGKILL) }
        }
    }
    private let state = Mutex(State())

    func started(_ leader: pid_t) {
        state.withLock { s in
            s.group = leader
            s.leaderRunning = true
            LiveProcessGroups.insert(leader)
            if s.killRequested { s.signal() }
        }
    }

    /// The leader is about to be reaped: from now on its id may be reused, so only the group is signalled.
    func leaderExiting() { state.withLock { $0.leaderRunning = false } }

    /// SIGKILL to the group and to the leader, under the lock: the leader's id is never one reused after it is reaped.
    func kill() {
        state.withLock { s in
            if s.group == nil { s.killRequested = true }
            s.signal()
        }
    }

    /// SIGKILL to what is left of the group, which is then forgotten. While any member lives, the
    /// group's id stays taken (Linux frees a pid only when no process uses it as its pid or group id).
    func end() {
        state.withLock { s in
            guard let group = s.group else { return }
            s.signal()
            LiveProcessGroups.remove(group)
            s.group = nil
        }
    }
}

/// Every student process group gradfuzz has started and not yet ended, so that a signal handler
/// (Ctrl-C twice, SIGTERM) can end them all before gradfuzz exits: no student outlives gradfuzz.
public enum LiveProcessGroups {
    private static let groups = Mutex<Set<pid_t>>([])

    static func insert(_ group: pid_t) { _ = groups.withLock { $0.insert(group) } }

    static func remove(_ group: pid_t) { _ = groups.withLock { $0.remove(group) } }

    /// The groups started and not yet ended.
    public static var all: Set<pid_t> { groups.withLock { $0 } }

    /// SIGKILL to every live group, at once and without waiting: for a process about to exit.
    public static func killAll() {
        groups.withLock { groups in
            for group in groups { _ = Glibc.kill(-group, SIGKILL) }
        }
    }
}

/// A flag raised once, from any thread.
final class Flag: Sendable {
    private let raised = Mutex(false)
    func set() { raised.withLock { $0 = true } }
    var isSet: Bool { raised.withLock { $0 } }
}

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

/// Splits stdout into lines; a line longer than `limit` is reported once and its rest skipped, and
/// a last line without its newline is reported as such.
struct LineSplitter {
    let limit: Int
    private var current: [UInt8] = []
    private var skipping = false

    init(limit: Int) { self.limit = limit }

    mutating func feed(_ bytes: UnsafeRawBufferPointer, into inbox: LineInbox) {
        var start = 0
        while start < bytes.count {
            let newline = bytes[start...].firstIndex(of: 0x0A)
            let end = newline ?? bytes.count
            if !skipping { current.append(contentsOf: bytes[start..<end]) }
            if !skipping && current.count > limit {
                inbox.deliver(.tooLong)
                current = []
                skipping = true
            }
            guard newline != nil else { break }
            if !skipping {
                if current.last == 0x0D { current.removeLast() }
                inbox.deliver(.line(current))
            }
            current = []
            skipping = false
            start = end + 1
        }
        inbox.writing(current)
    }

    /// At the end of stdout: what came after the last newline, unless it is blank or was cut off.
    mutating func finish(into inbox: LineInbox) {
        if !skipping && current.contains(where: { ![0x20, 0x09, 0x0D].contains($0) }) { inbox.deliver(.unterminated(current)) }
        current = []
    }
}

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
