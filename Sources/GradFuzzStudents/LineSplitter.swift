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
