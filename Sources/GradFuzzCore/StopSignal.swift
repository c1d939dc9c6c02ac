import Synchronization

/// Raised (by Ctrl-C) to stop a run: no new case or fixture starts, a shrink in progress stops where it is.
public final class StopSignal: Sendable {
    private let value = Mutex(false)

    public init() {}

    public var raised: Bool { value.withLock { $0 } }

    public func raise() { value.withLock { $0 = true } }
}
