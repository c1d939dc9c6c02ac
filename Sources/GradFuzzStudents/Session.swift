import CGradFuzzSystem
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One run of the student's program, under a supervisor of its own (see supervisor.c): its stdin
/// written on a queue of its own, its stdout, stderr and the supervisor's reports read on a thread
/// of their own (`ProgramOutput`), so that no pipe ever blocks the program.
///
/// `end()` closes the supervisor's lifeline: the supervisor kills the program and everything it
/// started — whatever session or process group it moved to — and exits; `end()` returns once it has.
final class Session: Sendable {
    enum Exit: Sendable {
        case exited(Int32)
        case signaled(Int32)
        case failedToStart(StudentError)

        /// A status as waitpid gives it.
        init(status: Int32) {
            self = status & 0x7F == 0 ? .exited((status >> 8) & 0xFF) : .signaled(status & 0x7F)
        }

        func error(before what: String, stderrTail: String) -> StudentError {
            if case let .failedToStart(error) = self { return error }
            let advice = exitedCleanly ? "; it must keep reading requests until stdin closes" : ""
            return StudentError(.exited, "the program \(ending) before \(what)\(advice)", stderrTail: stderrTail)
        }

        /// "exited (status 1)", "crashed (killed by signal 11, SIGSEGV: a bad memory access)".
        var ending: String {
            switch self {
            case .failedToStart: return "could not be started"
            case let .exited(code): return "exited (status \(code))"
            case let .signaled(signal): return "crashed (killed by signal \(signal)\(Self.signalName(signal)))"
            }
        }

        /// Whether the program exited by itself with status 0, as if its work were done.
        var exitedCleanly: Bool {
            if case .exited(0) = self { return true }
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

    let launch: StudentLaunch
    let inbox = LineInbox()
    let stderr = StderrTail()
    private let outcome = Mutex<Exit?>(nil)
    /// The supervisor has exited: nothing the program started is left.
    private let gone = Latch()
    private let input: ProgramInput?
    private let lifeline = Mutex<Int32>(-1)

    /// How the program ended, once it has (or why it never started).
    var exit: Exit? { outcome.withLock { $0 } }

    init(launch: StudentLaunch, maxLineBytes: Int) {
        self.launch = launch
        var ends = gradfuzz_supervised()
        let failure = launch.withC { gradfuzz_supervise($0, &ends) }
        guard failure == 0 else {
            let why = String(cString: strerror(failure))
            outcome.withLock { $0 = .failedToStart(StudentError(.cannotStart, "cannot start \(ShellWords.quoted(launch.command)): \(why)")) }
            input = nil
            inbox.close()
            gone.open()
            return
        }
        input = ProgramInput(ends.input)
        lifeline.withLock { $0 = ends.lifeline }
        let output = ProgramOutput(output: ends.output, error: ends.error, reports: ends.reports, maxLineBytes: maxLineBytes)
        let supervisor = ends.supervisor
        Thread { [self] in
            output.run(
                inbox: inbox, stderr: stderr, report: received,
                supervisorGone: {
                    while waitpid(supervisor, nil, 0) < 0 && errno == EINTR {}
                    gone.open()
                })
        }.start()
    }

    private func received(_ report: gradfuzz_report) {
        outcome.withLock { exit in
            if report.kind == GRADFUZZ_NOT_STARTED.rawValue {
                exit = .failedToStart(launch.notStarted(report))
            } else if exit == nil {
                exit = Exit(status: report.value)
            }
        }
    }

    func send(_ line: [UInt8]) { input?.write(line) }

    func closeInput() { input?.close() }

    /// Kills the program and everything it started (unless all have ended already), waits until
    /// none is left, removes its scratch folder, and says how the program ended.
    @discardableResult
    func end() async -> Exit? {
        let fd = lifeline.withLock { fd in
            defer { fd = -1 }
            return fd
        }
        if fd >= 0 { Glibc.close(fd) }
        closeInput()
        await gone.wait()
        await launch.removeScratch()
        return exit
    }

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
