import GradFuzzTestSupport
import Testing

@testable import GradFuzzCore

/// Points across the useful range and into saturation, none within 1e-3 of 0 (relu's kink).
let activationPoints: [Double] = stride(from: -7.0, through: 7.0, by: 0.37).map { $0 } + [-30, -12, 12, 30, 0.01, -0.01]

@Test(arguments: Activation.allCases.filter(\.isElementwise))
func derivativeAgreesWithGSL(_ f: Activation) {
    for z in activationPoints {
        let (expected, error) = gslDerivative(at: z, step: 1e-3) { f.value($0) }
        let got = f.derivative(z: z, a: f.value(z))
        expectClose(got, expected, within: 10 * error + 1e-9 * max(1, abs(expected)), "\(f.rawValue)'(\(z))")
    }
}

@Test func softmaxBackwardIsTheJacobianTransposeProduct() {
    let z = [0.3, -1.2, 2.0, 0.7]
    let u = [0.5, -0.25, 1.5, -2.0]
    let s = Activation.softmax.apply(z)
    let g = Activation.softmax.backward(z: z, a: s, upstream: u)
    for k in 0..<4 {
        // (Jᵀu)_k = ∂(u · softmax(z)) / ∂z_k
        let (expected, error) = gslDerivative(at: z[k], step: 1e-3) { zk in
            var moved = z
            moved[k] = zk
            return zip(u, Activation.softmax.apply(moved)).reduce(0) { $0 + $1.0 * $1.1 }
        }
        expectClose(g[k], expected, within: 10 * error + 1e-12, "softmax Jᵀu[\(k)]")
    }
}

@Test func stableFormsDoNotOverflow() {
    // Hand-derived: σ(−800) = e^−800 underflows to 0 and σ(800) = 1; softplus(800) = 800;
    // softmax of huge logits is their softmax shifted: [1/(1+e), e/(1+e)].
    #expect(Activation.sigmoid.value(-800.0) == 0)
    #expect(Activation.sigmoid.value(800.0) == 1)
    #expect(Activation.softplus.value(800.0) == 800)
    expectClose(Activation.softplus.value(-40.0), 4.248354255291589e-18, within: 1e-30, "softplus(−40) = e^−40 to first order")
    let s = Activation.softmax.apply([1000, 1001])
    let e = 2.718281828459045
    expectClose(s[0], 1 / (1 + e), within: 1e-15, "softmax([1000, 1001])[0]")
    expectClose(s[1], e / (1 + e), within: 1e-15, "softmax([1000, 1001])[1]")
    // gelu is the exact form ½ z (1 + erf(z/√2)): at z = 1 that is Φ(1) = 0.8413447460685429.
    expectClose(Activation.gelu.value(1.0), 0.8413447460685429, within: 1e-15, "gelu(1)")
}

@Test func kinksAreDeclared() {
    #expect(Activation.allCases.filter(\.hasKinkAtZero) == [.relu, .leakyReLU])
    #expect(Activation.leakyReLU.value(-2.0) == -0.02)
    #expect(Activation.relu.derivative(z: -1, a: 0) == 0)
    #expect(Activation.leakyReLU.derivative(z: -1, a: -0.01) == 0.01)
}
