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
