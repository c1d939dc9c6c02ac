import GradFuzzCore
import RealModule
import Testing

@testable import GradFuzzOracle

// Float80 exists on x86 only: elsewhere these references cannot be computed.
#if arch(x86_64) || arch(i386)
    /// The cancellation-free changes against a reference in Float80 by different identities:
    /// tanh(z + d) − tanh z = sinh d / (cosh(z + d) cosh z) and σ(z + d) − σ(z) = sinh(d/2) / (2 cosh((z + d)/2) cosh(z/2)),
    /// neither of which cancels. They must agree to a few ε relative, at every step the oracle uses
    /// (the short series below 1e-5, the Taylor series below 1e-2, libm above).
    @Test(arguments: [Activation.tanh, .sigmoid])
    func exactChangeIsAccurateToAFewUlps(f: Activation) {
        var rng = SplitMix64(seed: 11)
        for _ in 0..<2000 {
            let z = Double.random(in: -6...6, using: &rng)
            let scale = [1e-9, 0x1p-24, 1e-6, 1e-4, 3e-3, 0.05][Int.random(in: 0..<6, using: &rng)]
            let d = Lanes(-scale, scale, -scale / 2, scale / 2) * Double.random(in: 0.5...1, using: &rng)
            var zs = z, a = f.value(z), c = f.changeConstant(z: z), size = 0.0
            var dz = d, da = Lanes.zero
            _ = f.changes(z: &zs, a: &a, c: &c, dz: &dz, size: &size, into: &da, count: 1)
            for lane in 0..<4 {
                let (z80, d80) = (Float80(z), Float80(d[lane]))
                let expected: Float80 =
                    f == .tanh
                    ? Float80.sinh(d80) / (Float80.cosh(z80 + d80) * Float80.cosh(z80))
                    : Float80.sinh(d80 / 2) / (2 * Float80.cosh((z80 + d80) / 2) * Float80.cosh(z80 / 2))
                let error = abs(Double((Float80(da[lane]) - expected) / expected))
                #expect(
                    error <= 8 * Double.ulpOfOne,
                    "\(f.rawValue) z = \(z), d = \(d[lane]): expected \(expected), got \(da[lane]), relative error \(error)")
            }
        }
    }
#endif
