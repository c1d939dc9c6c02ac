import CGSL
import GradFuzzCore
import GradFuzzOracle

/// `gsl_deriv_central` on a Swift closure: the derivative of f at x, with GSL's error estimate.
///
/// For one-variable checks (an activation's f', a loss's gradient); the oracle differentiates the
/// cost of a whole network with its own incremental machinery.
public func gslDerivative(at x: Double, step: Double = 1e-4, _ f: (Double) -> Double) -> (value: Double, error: Double) {
    _ = gslErrorHandlerOff
    return withoutActuallyEscaping(f) { f in
        final class Box { let f: (Double) -> Double; init(_ f: @escaping (Double) -> Double) { self.f = f } }
        let box = Box(f)
        var result = 0.0, abserr = 0.0
        withExtendedLifetime(box) {
            var function = gsl_function(
                function: { x, params in Unmanaged<Box>.fromOpaque(params!).takeUnretainedValue().f(x) },
                params: Unmanaged.passUnretained(box).toOpaque())
            _ = gsl_deriv_central(&function, x, step, &result, &abserr)
        }
        return (result, abserr)
    }
}
