import CGradFuzzSystem

#if canImport(Glibc)
    import Glibc
#endif

/// The reading side of a supervised program, on a thread of its own: stdout split into lines,
/// stderr's tail kept, and the supervisor's reports, until all three end.
///
/// Each answer's stderr stays with it. A program writes what it prints to stderr while answering
/// before it writes the answer, so when a chunk of stdout arrives, that stderr is already in its
/// pipe: it is read, all of it, before any line of the chunk is delivered. Whoever receives an
/// answer finds in `StderrTail` everything written before it, and none of that can be counted
/// after the next request's mark. (Reading the two pipes independently, an answer could overtake
/// its own stderr: it then showed under the next fixture, and its own fixture showed none.)
struct ProgramOutput: Sendable {
    let output: Int32
    let error: Int32
    let reports: Int32
    let maxLineBytes: Int

    func run(
        inbox: LineInbox, stderr: StderrTail, report: (gradfuzz_report) -> Void, supervisorGone: () -> Void
    ) {
        _ = fcntl(error, F_SETFL, fcntl(error, F_GETFL) | O_NONBLOCK)
        var splitter = LineSplitter(limit: maxLineBytes)
        var watched = [output, error, reports].map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var records: [UInt8] = []
        let recordSize = MemoryLayout<gradfuzz_report>.size
        func finish(_ k: Int) {
            _ = close(watched[k].fd)
            watched[k].fd = -1
        }
        func drainError() {
            guard watched[1].fd >= 0 else { return }
            while true {
                let n = read(error, &chunk, chunk.count)
                if n > 0 {
                    chunk.withUnsafeBytes { stderr.append(UnsafeRawBufferPointer(rebasing: $0[..<n])) }
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    if n == 0 || errno != EAGAIN { finish(1) }
                    return
                }
            }
        }
        while watched.contains(where: { $0.fd >= 0 }) {
            if poll(&watched, nfds_t(watched.count), -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            if watched[2].fd >= 0 && watched[2].revents != 0 {
                let n = read(reports, &chunk, chunk.count)
                if n > 0 {
                    records += chunk[..<n]
                    while records.count >= recordSize {
                        report(records.withUnsafeBytes { $0.loadUnaligned(as: gradfuzz_report.self) })
                        records.removeFirst(recordSize)
                    }
                } else if n == 0 || errno != EINTR {
                    finish(2)
                    supervisorGone()
                }
            }
            if watched[1].fd >= 0 && watched[1].revents != 0 { drainError() }
            if watched[0].fd >= 0 && watched[0].revents != 0 {
                let n = read(output, &chunk, chunk.count)
                if n < 0 && errno == EINTR { continue }
                let bytes = Array(chunk[..<max(n, 0)])
                drainError()
                if n > 0 {
                    bytes.withUnsafeBytes { splitter.feed($0, into: inbox) }
                } else {
                    finish(0)
                    splitter.finish(into: inbox)
                    inbox.close()
                }
            }
        }
        let reportsOpen = watched[2].fd >= 0
        for k in watched.indices where watched[k].fd >= 0 { finish(k) }
        if reportsOpen { supervisorGone() }
    }
}
