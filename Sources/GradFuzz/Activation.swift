import RealModule

/// An activation function f, by the exact name used in fixtures and the student protocol.
///
/// These names and formulas are a public contract: they never change meaning.
public enum Activation: String, CaseIterable, Codable, Sendable {
    case identity
    case sigmoid
    case tanh
    case relu
    case leakyReLU = "leaky_relu"
    case elu
    case softplus
    case silu
    case gelu
    case softsign
    /// The whole layer at once: s_k = e^(z_k) / Σ_j e^(z_j).
    case softmax

    /// Slope of leaky_relu for z ≤ 0.
    public static let leakySlope = 0.01

    /// Whether f acts on each unit alone (every activation but softmax).
    public var isElementwise: Bool { self != .softmax }

    /// Whether f has a kink (a jump in f') at z = 0, where a difference quotient is meaningless.
    public var hasKinkAtZero: Bool { self == .relu || self == .leakyReLU }

    /// a = f(z) for one unit of an element-wise activation, in a form that neither overflows
    /// nor cancels: sigmoid and softplus split on the sign of z.
    @inlinable
    public func value<T: NetworkScalar>(_ z: T) -> T {
        switch self {
        case .identity: return z
        case .sigmoid: return Self.sigmoid(z)
        case .tanh: return T.tanh(z)
        case .relu: return z.realPart > 0 ? z : 0
        case .leakyReLU: return z.realPart > 0 ? z : T(Self.leakySlope) * z
        case .elu: return z.realPart > 0 ? z : T.expMinusOne(z)
        case .softplus:
            // log(1 + e^z) = z + log(1 + e^(−z)) for z > 0: no overflow of e^z.
            return z.realPart > 0 ? z + T.log(onePlus: T.exp(-z)) : T.log(onePlus: T.exp(z))
        case .silu: return z * Self.sigmoid(z)
        case .gelu: return z * (1 + T.erf(z / T(2.0.squareRoot()))) / 2
        case .softsign: return z / (1 + T.magnitude(z))
        case .softmax: preconditionFailure("softmax acts on a whole layer: use apply(_:)")
        }
    }

    /// a = f(z) for a whole layer, written into `a`.
    @inlinable
    public func apply<T: NetworkScalar>(_ z: UnsafeBufferPointer<T>, into a: UnsafeMutableBufferPointer<T>) {
        guard self == .softmax else {
            for k in z.indices { a[k] = value(z[k]) }
            return
        }
        // Shift by the largest z so that no e^(z_k) overflows; the result is the same function.
        var shift = z[0]
        for k in z.indices where z[k].realPart > shift.realPart { shift = z[k] }
        var sum = T.zero
        for k in z.indices { a[k] = T.exp(z[k] - shift); sum += a[k] }
        for k in z.indices { a[k] /= sum }
    }

    /// a = f(z) for a whole layer.
    public func apply(_ z: [Double]) -> [Double] {
        var a = [Double](repeating: 0, count: z.count)
        z.withUnsafeBufferPointer { zp in a.withUnsafeMutableBufferPointer { apply(zp, into: $0) } }
        return a
    }

    /// f'(z) for an element-wise activation, given z and a = f(z).
    @inlinable
    public func derivative(z: Double, a: Double) -> Double {
        switch self {
        case .identity: return 1
        case .sigmoid: return a * (1 - a)
        case .tanh: return 1 - a * a
        case .relu: return z > 0 ? 1 : 0
        case .leakyReLU: return z > 0 ? 1 : Self.leakySlope
        case .elu: return z > 0 ? 1 : a + 1
        case .softplus: return Self.sigmoid(z)
        case .silu:
            let s = Self.sigmoid(z)
            return s * (1 + z * (1 - s))
        case .gelu:
            // Φ(z) + z φ(z)
            let phi = Double.exp(-z * z / 2) / (2 * Double.pi).squareRoot()
            return (1 + Double.erf(z / 2.0.squareRoot())) / 2 + z * phi
        case .softsign:
            let d = 1 + abs(z)
            return 1 / (d * d)
        case .softmax: preconditionFailure("softmax has a Jacobian, not a derivative: use backward")
        }
    }

    /// Jᵀu: the backward pass through the layer, given its z, its a = f(z) and the incoming u.
    ///
    /// Element-wise: f'(z) ⊙ u (the ⊙ of the seed's eq. (4.2), which prints ⊗).
    /// softmax: J = diag(s) − s sᵀ is symmetric, so Jᵀu = s ⊙ (u − (s·u)).
    @inlinable
    public func backward(z: UnsafeBufferPointer<Double>, a: UnsafeBufferPointer<Double>,
                         upstream u: UnsafeBufferPointer<Double>, into g: UnsafeMutableBufferPointer<Double>) {
        guard self == .softmax else {
            for k in z.indices { g[k] = derivative(z: z[k], a: a[k]) * u[k] }
            return
        }
        var su = 0.0
        for k in z.indices { su += a[k] * u[k] }
        for k in z.indices { g[k] = a[k] * (u[k] - su) }
    }

    /// σ(z), split on the sign of z so that e^(−z) never overflows.
    @inlinable
    static func sigmoid<T: NetworkScalar>(_ z: T) -> T {
        if z.realPart >= 0 { return 1 / (1 + T.exp(-z)) }
        let e = T.exp(z)
        return e / (1 + e)
    }
}
