import Foundation

/// Raised (by Ctrl-C) to stop a run: no new case starts, a shrink in progress stops where it is.
public final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    public init() {}

    public var raised: Bool { lock.withLock { value } }

    public func raise() { lock.withLock { value = true } }
}
