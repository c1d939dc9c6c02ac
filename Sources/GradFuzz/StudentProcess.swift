import Foundation
import Subprocess
import SystemPackage
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A student's program, started once and kept running, spoken to in gradfuzz-protocol/1.
///
/// Each `ask` writes one request line and waits for one answer line, at most `timeout`. Whatever
/// goes wrong — the program is not found, crashes, exits early, hangs, prints a line that is not an
/// answer or a line of many megabytes — comes back as a `StudentError` with the tail of the
/// program's stderr, and the next `ask` starts the program afresh. stderr is read all the time
/// (only its tail is kept), so a program that writes a lot there never blocks on it.
public actor StudentProcess {
    public nonisolated let command: [String]
    public let timeout: Duration
    /// Extra time for the first answer after each start, while the program loads (numpy, a JIT).
    public let startupAllowance: Duration
    /// The longest answer line accepted: a line without end is cut off here, not read into memory.
    public let maxLineBytes: Int
    /// How many times the program has been started.
    public private(set) var starts = 0
    private var session: Session?
    /// Whether the running program has answered yet.
    private var warm = false

    public init(command: [String], timeout: Duration = .seconds(10), startupAllowance: Duration = .seconds(10),
                maxLineBytes: Int = 64 << 20) {
        self.command = command
        self.timeout = timeout
        self.startupAllowance = startupAllowance
        self.maxLineBytes = maxLineBytes
        Self.ignoreBrokenPipes
    }

    /// Writing to a student that has exited must fail with EPIPE, not kill gradfuzz with SIGPIPE.
    private static let ignoreBrokenPipes: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    /// The command as a shell would say it, for reports.
    public nonisolated var commandLine: String { StudentCommand.quoted(command) }

    /// Callers waiting for their turn: one request is in flight at a time, so that each answer
    /// line belongs to the request before it even when many tasks ask at once.
    private var busy = false
    private var queue: [CheckedContinuation<Void, Never>] = []

    /// Sends `problem` as request `id` and reads the answer.
    public func ask(_ problem: Problem, id: String) async throws(StudentError) -> StudentReply {
        if busy { await withCheckedContinuation { queue.append($0) } }
        busy = true
        defer {
            if queue.isEmpty { busy = false } else { queue.removeFirst().resume() }
        }
        return try await exchange(problem, id: id)
    }

    private func exchange(_ problem: Problem, id: String) async throws(StudentError) -> StudentReply {
        let session = try running()
        session.send(Array(StudentProtocol.request(id: id, problem: problem).utf8))
        let limit = warm ? timeout : timeout + startupAllowance
        switch await session.nextLine(timeout: limit) {
        case let .line(bytes):
            warm = true
            do {
                return try StudentProtocol.reply(bytes, id: id, problem: problem)
            } catch {
                var failure = error
                failure.stderrTail = session.stderr.text
                if failure.desynchronizes { await stop(session) }
                throw failure
            }
        case .tooLong:
            await stop(session)
            throw StudentError(.lineTooLong, "the answer line ran past \(Self.megabytes(maxLineBytes)) without a newline; expected one JSON answer per line (is the program printing a whole array in a loop, or never ending the line?)", stderrTail: session.stderr.text)
        case .timedOut:
            await stop(session)
            throw StudentError(.timedOut, "no answer within \(Self.seconds(limit)) (timeout\(warm ? "" : ", with the allowance for starting")); the program was stopped — is it waiting for more input, stuck in a loop, or not flushing stdout after each answer (Python: print(…, flush=True))?", stderrTail: session.stderr.text)
        case .closed:
            let what = "answering request \(Fixture.string(id))"
            guard let exit = await finish(session) else {
                throw StudentError(.exited, "the program closed its stdout before \(what) but did not exit; it was stopped", stderrTail: session.stderr.text)
            }
            throw exit.error(before: what, stderrTail: session.stderr.text)
        }
    }

    /// The last lines the running program wrote to stderr.
    public func stderrTail() -> String { session?.stderr.text ?? "" }

    /// Closes the program's stdin, as the protocol ends, and waits a moment for it to exit.
    public func close() async {
        guard let session else { return }
        session.closeInput()
        _ = await finish(session)
    }

    private func running() throws(StudentError) -> Session {
        if let session { return session }
        guard let first = command.first, !first.isEmpty else {
            throw StudentError(.notFound, "no command given; expected the student's program, e.g. python3 student.py")
        }
        if first.contains("/") {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: first, isDirectory: &isDirectory) else {
                throw StudentError(.notFound, "command not found: \(first) (no such file)")
            }
            guard !isDirectory.boolValue, FileManager.default.isExecutableFile(atPath: first) else {
                throw StudentError(.cannotStart, "\(first) is not an executable file (chmod +x it, or name its interpreter: python3 \(first))")
            }
        }
        let started = Session(command: command, maxLineBytes: maxLineBytes)
        starts += 1
        session = started
        warm = false
        return started
    }

    /// Kills the program (and anything it started) and waits for it to be gone.
    private func stop(_ session: Session) async {
        session.kill()
        _ = await session.process.value
        if self.session === session { self.session = nil }
    }

    /// Waits a moment (2 s) for the program to exit by itself, then kills it. Nil when it had to be killed.
    private func finish(_ session: Session) async -> Session.Exit? {
        let clock = ContinuousClock(), deadline = clock.now + .seconds(2)
        while !session.hasEnded && clock.now < deadline { try? await Task.sleep(for: .milliseconds(5)) }
        if self.session === session { self.session = nil }
        if session.hasEnded { return await session.process.value }
        session.kill()
        _ = await session.process.value
        return nil
    }

    static func seconds(_ d: Duration) -> String {
        let s = d.seconds
        return s == s.rounded() ? "\(Int(s)) s" : "\(s) s"
    }

    static func megabytes(_ bytes: Int) -> String {
        bytes >= 1 << 20 ? "\(bytes >> 20) MB" : "\(bytes >> 10) kB"
    }
}

/// One run of the student's program: a task that owns the child process for its whole life,
/// with a writer for stdin, a reader that splits stdout into lines, and a reader that keeps
/// stderr's tail — concurrent, so no pipe ever blocks the child.
final class Session: Sendable {
    enum Exit: Sendable {
        case terminated(TerminationStatus)
        case failedToStart(StudentError)

        func error(before what: String, stderrTail: String) -> StudentError {
            switch self {
            case let .failedToStart(error): return error
            case let .terminated(.exited(code)):
                return StudentError(.exited, "the program exited (status \(code)) before \(what)\(code == 0 ? "; it must keep reading requests until stdin closes" : "")", stderrTail: stderrTail)
            case let .terminated(.signaled(signal)):
                return StudentError(.exited, "the program crashed (killed by signal \(signal)\(Self.signalName(signal))) before \(what)", stderrTail: stderrTail)
            }
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

    init(command: [String], maxLineBytes: Int) {
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
                let result = try await run(executable, arguments: Arguments(Array(command.dropFirst())), environment: environment,
                                           platformOptions: options,
                                           input: .inputWriter, output: .sequence, error: .sequence) { execution in
                    processGroup.set(execution.processIdentifier.value)
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
                    processGroup.set(nil)
                }
                return .terminated(result.terminationStatus)
            } catch let error as SubprocessError where error.code == .executableNotFound {
                return .failedToStart(StudentError(.notFound, "command not found: \(command[0]) (not on PATH: \(ProcessInfo.processInfo.environment["PATH"] ?? ""))"))
            } catch {
                return .failedToStart(StudentError(.cannotStart, "cannot start \(StudentCommand.quoted(command)): \(error)"))
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

    enum Event: Sendable { case line([UInt8]), tooLong, timedOut, closed }

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

/// The child's process group while it runs (the child leads its own group); nil before and after.
final class ProcessGroup: Sendable {
    private let id = Mutex<pid_t?>(nil)

    func set(_ value: pid_t?) { id.withLock { $0 = value } }

    /// SIGKILL to the group and to the child, under the lock: the id is never one reused after the child is reaped.
    func kill() {
        id.withLock { group in
            guard let group else { return }
            _ = Glibc.kill(-group, SIGKILL)
            _ = Glibc.kill(group, SIGKILL)
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
    }
    private let state = Mutex(State())

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

/// Splits stdout into lines; a line longer than `limit` is reported once and its rest skipped.
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
            guard newline != nil else { return }
            if !skipping {
                if current.last == 0x0D { current.removeLast() }
                inbox.deliver(.line(current))
            }
            current = []
            skipping = false
            start = end + 1
        }
    }
}

/// The last few kilobytes the child wrote to stderr.
final class StderrTail: Sendable {
    static let keep = 4096
    private let bytes = Mutex<[UInt8]>([])

    func append(_ chunk: UnsafeRawBufferPointer) {
        bytes.withLock { b in
            b.append(contentsOf: chunk.suffix(Self.keep))
            if b.count > 2 * Self.keep { b.removeFirst(b.count - Self.keep) }
        }
    }

    /// The tail as text: at most the last 20 lines of the last 4 kB.
    var text: String {
        let raw = bytes.withLock { Array($0.suffix(Self.keep)) }
        let lines = String(decoding: raw, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        return lines.suffix(21).joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A command line split into words and joined back, as a POSIX shell would.
public enum StudentCommand {
    /// Splits "python3 'my student.py' --flag" into words: spaces separate, quotes group, backslash escapes.
    public static func split(_ line: String) -> [String] {
        var words: [String] = [], word = "", inWord = false
        var quote: Character?
        var escaped = false
        for c in line {
            if escaped { word.append(c); escaped = false; inWord = true; continue }
            if c == "\\" && quote != "'" { escaped = true; inWord = true; continue }
            if let q = quote {
                if c == q { quote = nil } else { word.append(c) }
                continue
            }
            if c == "'" || c == "\"" { quote = c; inWord = true; continue }
            if c.isWhitespace {
                if inWord { words.append(word); word = ""; inWord = false }
                continue
            }
            word.append(c); inWord = true
        }
        if inWord { words.append(word) }
        return words
    }

    /// The words quoted where needed, for a message or a command to copy.
    public static func quoted(_ words: [String]) -> String {
        words.map { w in
            let plain = !w.isEmpty && w.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0) }
            return plain ? w : "'" + w.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }.joined(separator: " ")
    }
}

/// A student's program as an implementation under test: `gradfuzz --impl 'python3 student.py'`.
/// Its requests have ids "1", "2", …; an {"error": …} answer is thrown as `Unsupported`.
public final class ExternalImplementation: BackpropImplementation {
    public let process: StudentProcess
    private let counter = Mutex(0)

    public init(command: [String], timeout: Duration = .seconds(10), startupAllowance: Duration = .seconds(10),
                maxLineBytes: Int = 64 << 20) {
        process = StudentProcess(command: command, timeout: timeout, startupAllowance: startupAllowance, maxLineBytes: maxLineBytes)
    }

    /// From one string, split as a shell would: "python3 student.py".
    public convenience init(commandLine: String, timeout: Duration = .seconds(10), startupAllowance: Duration = .seconds(10)) {
        self.init(command: StudentCommand.split(commandLine), timeout: timeout, startupAllowance: startupAllowance)
    }

    public var name: String { process.commandLine }

    public func backprop(_ problem: Problem) async throws -> Answer {
        let id = counter.withLock { n in n += 1; return "\(n)" }
        switch try await process.ask(problem, id: id) {
        case let .answer(answer): return answer
        case let .unsupported(message): throw Unsupported(message)
        }
    }

    /// Ends the protocol: closes the program's stdin and lets it exit.
    public func close() async { await process.close() }
}
