extension Tolerance {
    /// The loosest rtol and atol applied unless the user asks for looser by name
    /// (--allow-loose-tolerance): rtol ≤ 1e-2 and atol ≤ 1e-3, 5 and 100 times float32's preset.
    ///
    /// A tolerance stands for rounding. The loosest preset, float32 (rtol 2e-3, atol 1e-5), already
    /// holds a correct single-precision program together with its own rounding bound
    /// (`programRounding`); these limits leave room beyond it for a program summing less carefully,
    /// while every catalogued mistake a committed exam catches is still caught at them (a test
    /// holds every exam to that). Past them a tolerance hides mistakes instead of rounding:
    /// a missing 1/m scales an entry by the batch size m ≥ 2, a relative difference of at least
    /// 1/2, which rtol 0.9 passes, and atol 1 passes any entry smaller than 1.
    public static let loosestAllowed = (rtol: 1e-2, atol: 1e-3)

    /// How a user applies a tolerance beyond the range anyway, as every refusal ends.
    public static let override = "give --allow-loose-tolerance to apply it anyway"

    /// "rtol ≤ 0.01, atol ≤ 0.001": the range as messages state it.
    public static var allowedRange: String { "rtol ≤ \(loosestAllowed.rtol), atol ≤ \(loosestAllowed.atol)" }

    /// The first of rtol and atol beyond `loosestAllowed`, with why ("atol": "1e+300 is beyond
    /// rtol ≤ 0.01, atol ≤ 0.001"), or nil when both are within it.
    public var beyondAllowedRange: (field: String, why: String)? {
        if rtol > Self.loosestAllowed.rtol { return ("rtol", "\(rtol) is beyond the range applied without asking, \(Self.allowedRange)") }
        if atol > Self.loosestAllowed.atol { return ("atol", "\(atol) is beyond the range applied without asking, \(Self.allowedRange)") }
        return nil
    }
}
