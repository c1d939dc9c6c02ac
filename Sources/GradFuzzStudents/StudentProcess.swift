import Foundation
import GradFuzzCore
import GradFuzzFixtures
import GradFuzzMutants

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
///
/// Each run of the program has a supervisor of its own (`Session`): when the run ends, the program
/// and everything it started end with it, whatever session or process group they moved to.
public actor StudentProcess {
    public nonisolated let command: [String]
    /// The user the program runs as; nil: gradfuzz's own (see `StudentLaunch`).
    public nonisolated let user: StudentUser?
    public let timeout: Duration
    /// Extra time for the first answer after each start, while the program loads (numpy, a JIT).
    public let startupAllowance: Duration
    /// The longest answer line accepted: a line without end is cut off here, not read into memory.
    public let maxLineBytes: Int
    /// Where the program runs; nil: gradfuzz's own working directory.
    public nonisolated let workingDirectory: String?
    /// How many times the program has been started.
    public private(set) var starts = 0
    private var session: Session?
    /// Whether the running program has answered yet.
    private var warm = false
    /// Whether any run of the program has ever answered.
    private var everAnswered = false
    /// Requests in a row that timed out while the program had never answered.
    private var silentTimeouts = 0
    /// After this many such timeouts the program is given up on: later requests are not sent, and
    /// fail at once as not run. A program that never reads its input (or reads ahead, waiting for
    /// more than one line) would otherwise cost the whole timeout on every request.
    public static let silentTimeoutLimit = 3
    /// Where the running program's stderr stood when the last request was sent: a failure shows
    /// only what came after, what the program printed while answering it.
    private var stderrMark = 0

    public init(
        command: [String], timeout: Duration = .seconds(10), startupAllowance: Duration = .seconds(10),
        maxLineBytes: Int = 64 << 20, user: StudentUser? = nil, workingDirectory: String? = nil
    ) {
        self.command = command
        self.user = user
        self.workingDirectory = workingDirectory
        self.timeout = timeout
        self.startupAllowance = startupAllowance
        self.maxLineBytes = maxLineBytes
        Self.ignoreBrokenPipes
    }

    /// Writing to a student that has exited must fail with EPIPE, not kill gradfuzz with SIGPIPE.
    private static let ignoreBrokenPipes: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    /// The command as a shell would say it, for reports.
    public nonisolated var commandLine: String { ShellWords.quoted(command) }

    /// Callers waiting for their turn: one request is in flight at a time, so that each answer
    /// line belongs to the request before it even when many tasks ask at once.
    private var busy = false
    private var queue: [CheckedContinuation<Void, Never>] = []

    /// Sends `problem` as request `id` and reads the answer.
    public func ask(_ problem: Problem, id: String, describe: Bool = false) async throws(StudentError) -> StudentReply {
        if busy { await withCheckedContinuation { queue.append($0) } }
        busy = true
        defer {
            if queue.isEmpty { busy = false } else { queue.removeFirst().resume() }
        }
        return try await exchange(problem, id: id, describe: describe)
    }

    private func exchange(_ problem: Problem, id: String, describe: Bool) async throws(StudentError) -> StudentReply {
        if !everAnswered && silentTimeouts >= Self.silentTimeoutLimit {
            throw StudentError(
                .unresponsive,
                "not run: the program never answered; it timed out on the first \(silentTimeouts) requests in a row, so no more are sent — \(Self.silentAdvice)"
            )
        }
        let session = try running()
        stderrMark = session.stderr.mark
        let mark = stderrMark
        session.send(Array(StudentProtocol.request(id: id, problem: problem, describe: describe).utf8))
        let limit = warm ? timeout : timeout + startupAllowance
        let event = await session.nextLine(timeout: limit)
        if case .timedOut = event { if !everAnswered { silentTimeouts += 1 } } else { silentTimeouts = 0 }
        switch event {
        case let .line(bytes):
            warm = true
            everAnswered = true
            do {
                return try StudentProtocol.reply(bytes, id: id, problem: problem, describe: describe)
            } catch {
                var failure = error
                failure.stderrTail = session.stderr.text(since: mark)
                if failure.desynchronizes { await stop(session) }
                throw failure
            }
        case .tooLong:
            await stop(session)
            throw StudentError(
                .lineTooLong,
                "the answer line ran past \(Self.megabytes(maxLineBytes)) without a newline; expected one JSON answer per line (is the program printing a whole array in a loop, or never ending the line?)",
                stderrTail: session.stderr.text(since: mark))
        case .timedOut:
            let unfinished = session.inbox.unfinished
            await stop(session)
            if unfinished.isBegun {
                throw StudentError(
                    .timedOut,
                    "no answer line within \(Self.seconds(limit)): the program printed \(unfinished.count) bytes without ending the line: \(StudentProtocol.excerpt(unfinished.start)); end each answer with a newline (Python's print does, sys.stdout.write does not); the program was stopped",
                    stderrTail: session.stderr.text(since: mark))
            }
            throw StudentError(
                .timedOut,
                "no answer within \(Self.seconds(limit)) (timeout\(warm ? "" : ", with the allowance for starting")); the program was stopped — \(Self.silentAdvice)",
                stderrTail: session.stderr.text(since: mark))
        case let .unterminated(bytes):
            // The protocol's lines end with "\n"; a program that exits does not answer, even with a whole answer.
            let exit = await finish(session)
            let ending = exit?.ending ?? "closed its stdout (it did not exit, and was stopped)"
            let advice =
                exit?.exitedCleanly == true
                ? "; end each answer with a newline (Python's print does, sys.stdout.write does not) and keep reading requests until stdin closes" : ""
            throw StudentError(
                .exited, "the answer's line was not terminated by a newline before the program \(ending)\(advice): \(StudentProtocol.excerpt(bytes))",
                stderrTail: session.stderr.text(since: mark))
        case .closed:
            let what = "answering request \(JSONText.string(id))"
            guard let exit = await finish(session) else {
                throw StudentError(
                    .exited, "the program closed its stdout before \(what) but did not exit; it was stopped", stderrTail: session.stderr.text(since: mark))
            }
            throw exit.error(before: what, stderrTail: session.stderr.text(since: mark))
        }
    }

    /// The questions a program that does not answer raises.
    static let silentAdvice =
        "is it waiting for more input, stuck in a loop, not flushing stdout after each answer (Python: print(…, flush=True)), or reading stdin with read-ahead, so that it waits for more than one request before it sees the first (Python 2's `for line in sys.stdin`: use `for line in iter(sys.stdin.readline, '')`)?"

    /// What the running program wrote to stderr since the last request was sent: what it printed while answering it.
    public func stderrTail() -> String { session?.stderr.text(since: stderrMark) ?? "" }

    /// Closes the program's stdin, as the protocol ends, and waits a moment (2 s) for it to exit; then
    /// ends whatever it started and left running, so that nothing outlives the run.
    public func close() async {
        guard let session else { return }
        session.closeInput()
        _ = await finish(session)
    }

    private func running() throws(StudentError) -> Session {
        if let session { return session }
        let started = Session(
            launch: try StudentLaunch(command: command, user: user, workingDirectory: workingDirectory), maxLineBytes: maxLineBytes)
        starts += 1
        session = started
        warm = false
        return started
    }

    /// Kills the program (and anything it started) and waits for it to be gone.
    private func stop(_ session: Session) async {
        if self.session === session { self.session = nil }
        await session.end()
    }

    /// Waits a moment (2 s) for the program to exit by itself, then kills it. Nil when it had to be killed.
    /// Either way, whatever it left running is ended: nothing it started outlives it.
    private func finish(_ session: Session) async -> Session.Exit? {
        let clock = ContinuousClock(), deadline = clock.now + .seconds(2)
        while session.exit == nil && clock.now < deadline { try? await Task.sleep(for: .milliseconds(5)) }
        if self.session === session { self.session = nil }
        let exit = session.exit
        await session.end()
        return exit
    }

    static func seconds(_ d: Duration) -> String {
        let s = d.seconds
        return s == s.rounded() ? "\(Int(s)) s" : "\(s) s"
    }

    static func megabytes(_ bytes: Int) -> String {
        bytes >= 1 << 20 ? "\(bytes >> 20) MB" : "\(bytes >> 10) kB"
    }
}
