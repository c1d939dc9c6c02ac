import RealModule

/// SplitMix64: a small, fast generator whose stream depends only on its seed, on every platform.
///
/// The fuzzer's case i is drawn from `SplitMix64(seed: seed, stream: i)`, so it depends only on
/// (seed, i), whatever the number of jobs or shards.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// An independent stream per (seed, stream): the pair is mixed once so nearby streams differ in every bit.
    public init(seed: UInt64, stream: UInt64) {
        var mixer = SplitMix64(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        state = mixer.next() ^ stream
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension RandomNumberGenerator {
    /// A standard normal deviate (Box–Muller).
    public mutating func normal() -> Double {
        let u = Double.random(in: Double.ulpOfOne..<1, using: &self)
        let v = Double.random(in: 0..<1, using: &self)
        return (-2 * Double.log(u)).squareRoot() * Double.cos(2 * .pi * v)
    }

    /// e^U, U uniform on [log lo, log hi]: a scale drawn evenly across orders of magnitude.
    public mutating func logUniform(_ lo: Double, _ hi: Double) -> Double {
        Double.exp(Double.random(in: Double.log(lo)...Double.log(hi), using: &self))
    }
}
