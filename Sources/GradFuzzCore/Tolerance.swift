import RealModule

/// When an entry `got` agrees with an `expected` value whose own error is estimated as `error`,
/// with `rounding` allowed for the rounding of the side that computed `got`:
///
///     |got − expected| ≤ max(errorFactor · error + rounding + atol, rtol · max(|got|, |expected|))
///
/// which is swift-numerics' `isApproximatelyEqual` with that absolute and relative tolerance.
/// Against the oracle, `error` is the oracle's estimate (GSL's abserr plus round-off) and the
/// factor leaves room for that estimate being an estimate; `rounding` is the analytic side's
/// allowance, a bound from the sizes of the terms an honest backward pass sums
/// (`Estimates.analyticRounding`), which matters only where an entry is a small difference of large
/// terms; rtol absorbs the ordinary rounding of the analytic side. Against a fixture's stored
/// reference values `error` is 0: the reference is exact up to rounding, and rtol/atol say how
/// much rounding a student's program may add; `rounding` is 0 too, except for a single-precision
/// tolerance, where it is the program's own rounding (`programRounding(for:)`).
public struct Tolerance: Codable, Equatable, Sendable {
    public var rtol: Double
    public var atol: Double
    public var errorFactor: Double
    /// The precision of the program judged: a single-precision program's own rounding is allowed
    /// on top of rtol and atol (`programRounding(for:)`).
    public var precision: Precision

    /// The floating-point format a program computes in, by the names of the presets.
    public enum Precision: String, Codable, Sendable {
        case float64, float32

        /// What a tolerance of this rtol is taken for when it does not say: float32 from float32's rtol up.
        static func implied(byRtol rtol: Double) -> Precision { rtol >= Tolerance.float32.rtol ? .float32 : .float64 }
    }

    /// A tolerance; its precision, when not given, is float32 for an rtol of 2e-3 or more.
    public init(rtol: Double, atol: Double, errorFactor: Double = 0, precision: Precision? = nil) {
        self.rtol = rtol
        self.atol = atol
        self.errorFactor = errorFactor
        self.precision = precision ?? .implied(byRtol: rtol)
    }

    /// Analytic gradient against the GSL oracle.
    public static let oracle = Tolerance(rtol: 1e-6, atol: 1e-12, errorFactor: 10)
    /// A double-precision program against a fixture's reference values.
    public static let float64 = Tolerance(rtol: 1e-6, atol: 1e-9, precision: .float64)
    /// A single-precision program against a fixture's reference values.
    public static let float32 = Tolerance(rtol: 2e-3, atol: 1e-5, precision: .float32)

    /// This tolerance applied against the GSL oracle rather than exact reference values: the
    /// oracle's error estimate, times `Tolerance.oracle.errorFactor`, is added to atol. Fuzzing and
    /// replay judge with a fixture's tolerance this way, validate with the tolerance itself.
    public var againstOracle: Tolerance { Tolerance(rtol: rtol, atol: atol, errorFactor: Self.oracle.errorFactor, precision: precision) }

    /// Whether this tolerance is for a program computing in single precision.
    public var isSinglePrecision: Bool { precision == .float32 }

    /// Whether `precision` says more than rtol does (`Precision.implied`): a file writes it only then.
    public var statesPrecision: Bool { precision != .implied(byRtol: rtol) }

    /// The rounding a correct program judged with this tolerance may show on `problem`, entry by
    /// entry, beyond what rtol covers: `Problem.roundingBounds` at float32's unit roundoff 2⁻²⁴ for
    /// a single-precision tolerance; nil for double precision, whose rounding rtol and atol hold.
    public func programRounding(for problem: Problem) -> EntryBounds? {
        isSinglePrecision ? problem.roundingBounds(unitRoundoff: 0x1p-24) : nil
    }

    /// The presets by name: "float64" or "float32".
    public static func preset(named name: String) -> Tolerance? {
        switch name {
        case "float64": return .float64
        case "float32": return .float32
        default: return nil
        }
    }

    /// `base` with rtol and atol replaced where given; its precision kept.
    public static func chosen(_ base: Tolerance, rtol: Double?, atol: Double?) -> Tolerance {
        var t = base
        if let rtol { t.rtol = rtol }
        if let atol { t.atol = atol }
        return t
    }

    /// The largest |got − expected| that passes.
    @inlinable
    public func bound(expected: Double, got: Double, error: Double = 0, rounding: Double = 0) -> Double {
        max(errorFactor * error + rounding + atol, rtol * max(abs(got), abs(expected)))
    }

    /// Whether `got` agrees with `expected`; never for a non-finite value or error estimate.
    @inlinable
    public func accepts(expected: Double, got: Double, error: Double = 0, rounding: Double = 0) -> Bool {
        let absolute = errorFactor * error + rounding + atol
        guard expected.isFinite, got.isFinite, absolute.isFinite else { return false }
        // A closure for the norm: the default key path `\.magnitude` is instantiated anew on every call (≈ 10 % of a fuzzing run).
        return got.isApproximatelyEqual(to: expected, absoluteTolerance: absolute, relativeTolerance: rtol, norm: { $0.magnitude })
    }

    /// The preset of this tolerance's precision: what it is looser than, or not.
    public var preset: Tolerance { isSinglePrecision ? .float32 : .float64 }

    /// Whether rtol or atol allows more than the preset of this tolerance's precision.
    public var isLooserThanPreset: Bool { rtol > preset.rtol || atol > preset.atol }

    /// "tolerance rtol 1e-06, atol 0.01, looser than the float64 preset" for a tolerance looser
    /// than its preset, which every verdict it decides says; nil for one within its preset.
    public var loosenessNote: String? {
        isLooserThanPreset ? "tolerance rtol \(rtol), atol \(atol), looser than the \(preset.precision.rawValue) preset" : nil
    }

    /// Why these values cannot be used, or nil when they can.
    public var problem: String? {
        if !(rtol >= 0 && rtol < 1) { return "rtol must be in [0, 1), got \(rtol)" }
        if !(atol >= 0 && atol.isFinite) { return "atol must be finite and ≥ 0, got \(atol)" }
        if !(errorFactor >= 0 && errorFactor.isFinite) { return "errorFactor must be finite and ≥ 0, got \(errorFactor)" }
        return nil
    }
}

extension Tolerance {
    // errorFactor is written only where it is not 0, and precision only where rtol does not imply
    // it, so that a fixture's tolerance reads {"rtol", "atol"}.
    enum CodingKeys: String, CodingKey { case rtol, atol, errorFactor, precision }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            rtol: try c.decode(Double.self, forKey: .rtol), atol: try c.decode(Double.self, forKey: .atol),
            errorFactor: try c.decodeIfPresent(Double.self, forKey: .errorFactor) ?? 0,
            precision: try c.decodeIfPresent(Precision.self, forKey: .precision))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(rtol, forKey: .rtol)
        try c.encode(atol, forKey: .atol)
        if errorFactor != 0 { try c.encode(errorFactor, forKey: .errorFactor) }
        if statesPrecision { try c.encode(precision, forKey: .precision) }
    }
}
