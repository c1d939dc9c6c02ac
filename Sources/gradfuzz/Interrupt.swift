import CGradFuzzSystem
import Foundation
import GradFuzz
import Synchronization

/// Ctrl-C and SIGTERM, for every command; installed before anything else runs.
///
/// - While a run has registered its `StopSignal` (fuzz, replay, validate), the first Ctrl-C raises
///   it: the work in progress finishes, no more starts, and the command writes what was done and
///   exits 130 (1 when it found failures). Without a registered run it is like a second one.
/// - A second Ctrl-C ends every process gradfuzz started and exits 130 at once.
/// - SIGTERM (what a CI cancel sends) ends every process gradfuzz started and exits 143 at once.
///
/// Students run under supervisors in process groups of their own, so a terminal's Ctrl-C never
/// reaches them: gradfuzz ends them itself, with every descendant (it is their subreaper, so a
/// descendant that called setsid is still found). Fixtures are never half written: they appear by rename.
enum Interrupt {
    private struct State {
        var interrupts = 0
        var stop: StopSignal?
        var finishing = ""
    }
    private static let state = Mutex(State())
    private static let queue = DispatchQueue(label: "gradfuzz.signals")
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    /// Handles SIGINT and SIGTERM from now on.
    static func install() {
        for (number, handler) in [(SIGINT, interrupted), (SIGTERM, terminated)] as [(Int32, @Sendable () -> Void)] {
            signal(number, SIG_IGN)  // delivered to the dispatch source instead
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler(handler: handler)
            source.resume()
            sources.append(source)
        }
    }

    /// From now on the first Ctrl-C raises `stop`, saying that gradfuzz is `finishing` ("the cases in progress").
    static func stops(_ stop: StopSignal, finishing: String) {
        state.withLock { s in
            s.stop = stop
            s.finishing = finishing
        }
    }

    private static func interrupted() {
        let stop = state.withLock { s -> (StopSignal, String)? in
            s.interrupts += 1
            guard s.interrupts == 1, let stop = s.stop else { return nil }
            return (stop, s.finishing)
        }
        guard let (signal, finishing) = stop else { exitNow(130) }
        signal.raise()
        FileHandle.standardError.write(Data("\ninterrupted: finishing \(finishing) (Ctrl-C again to quit now)\n".utf8))
    }

    private static func terminated() { exitNow(143) }

    /// Ends every descendant, then the process, without waiting for the work in progress.
    private static func exitNow(_ status: Int32) -> Never {
        gradfuzz_end_descendants()
        _exit(status)
    }
}
