/// Where a difference quotient breaks down, and how far a problem stays from it.
///
/// A kink is a jump in f' (relu and leaky_relu at z = 0, absolute_error at a = y, hinge at
/// y·a = 1): a difference stencil across it measures neither side. A curvature kink is a jump in
/// f'' (elu and softsign at z = 0, huber at |a − y| = 1): a stencil across it is only first-order
/// accurate, which an error estimate made for smooth functions does not see. The oracle detects
/// kinks as it evaluates; the fuzzer and the curated set keep every kinked quantity, of either
/// kind, a margin away from its kink.
extension Activation {
    /// Whether f' jumps at z = 0.
    public var hasKinkAtZero: Bool { self == .relu || self == .leakyReLU }

    /// Whether f or f' jumps at z = 0: the pre-activations a checker keeps away from 0.
    public var needsClearanceAtZero: Bool {
        switch self {
        case .relu, .leakyReLU, .elu, .softsign: return true
        default: return false
        }
    }
}

extension Loss {
    /// Whether a term's derivative jumps: absolute_error at a = y, hinge at y·a = 1.
    public var hasKink: Bool { self == .absoluteError || self == .hinge }

    /// Which side of its kink the term for one unit is on; a change of side inside a difference
    /// stencil makes that difference meaningless.
    @inlinable
    public func kinkSide(a: Double, y: Double) -> Bool {
        switch self {
        case .absoluteError: return a - y > 0
        case .hinge: return 1 - y * a > 0
        default: return false
        }
    }

    /// How far one output term is from its kink or curvature kink: |a − y| for absolute_error,
    /// |1 − y·a| for hinge, ||a − y| − 1| for huber; ∞ for a smooth loss.
    public func kinkDistance(a: Double, y: Double) -> Double {
        switch self {
        case .hinge: return abs(1 - y * a)
        default: return kinkDistance(residual: a - y)
        }
    }

    /// `kinkDistance` of a regression loss, from the residual r = a − y.
    public func kinkDistance(residual r: Double) -> Double {
        switch self {
        case .absoluteError: return abs(r)
        case .huber: return abs(abs(r) - 1)
        default: return .infinity
        }
    }
}

extension Problem {
    /// The distance of the closest kinked quantity from its kink or curvature kink, given the
    /// forward pass's z and a per layer (∞ when there is none; 0 when the pass is not finite).
    public func kinkClearance(z: [Matrix], a: [Matrix]) -> Double {
        var closest = Double.infinity
        for (p, f) in network.activations.enumerated() where f.needsClearanceAtZero {
            for value in z[p].storage { closest = min(closest, value.isFinite ? abs(value) : 0) }
        }
        guard let output = a.last else { return closest }
        for t in output.storage.indices {
            let distance = loss.kinkDistance(a: output.storage[t], y: Y.storage[t])
            closest = min(closest, distance.isNaN ? 0 : distance)
        }
        return closest
    }
}
