import RealModule

/// A number the forward pass can run over.
///
/// `Double` today. The complex-step oracle will add `Complex<Double>`: every function of the
/// forward pass is written with `ElementaryFunctions`, and each branch (relu's sign, softmax's
/// max-shift, |r| in the losses) is decided on `realPart`, which makes the branch an analytic
/// continuation of the real function on either side of it.
public protocol NetworkScalar: ElementaryFunctions, AlgebraicField {
    init(_ value: Double)
    /// The real part: what every branch of the forward pass decides on.
    var realPart: Double { get }
    /// The error function, for gelu.
    static func erf(_ x: Self) -> Self
}

extension Double: NetworkScalar {
    @inlinable public var realPart: Double { self }
}

extension NetworkScalar {
    /// |x| continued analytically from the side of 0 that `realPart` is on.
    @inlinable static func magnitude(_ x: Self) -> Self { x.realPart < 0 ? -x : x }
}
