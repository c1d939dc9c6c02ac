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

    /// a = f(z) for one unit of an element-wise activation, in a form that neither overflows
    /// nor cancels: sigmoid and softplus split on the sign of z.
    @inlinable
    public func value(_ z: Double) -> Double {
        switch self {
        case .identity: return z
        case .sigmoid: return Self.sigmoid(z)
        case .tanh: return Double.tanh(z)
        case .relu: return z > 0 ? z : 0
        case .leakyReLU: return z > 0 ? z : Self.leakySlope * z
        case .elu: return z > 0 ? z : Double.expMinusOne(z)
        case .softplus:
            // log(1 + e^z) = z + log(1 + e^(−z)) for z > 0: no overflow of e^z.
            return z > 0 ? z + Double.log(onePlus: Double.exp(-z)) : Double.log(onePlus: Double.exp(z))
        case .silu: return z * Self.sigmoid(z)
        case .gelu: return z * (1 + Double.erf(z / 2.0.squareRoot())) / 2
        case .softsign: return z / (1 + abs(z))
        case .softmax: preconditionFailure("softmax acts on a whole layer: use apply(_:)")
        }
    }

    /// a = f(z) for a whole layer: eq. (**)/(2) unit by unit, or softmax over the layer.
    public func apply(_ z: [Double]) -> [Double] {
        guard self == .softmax else { return z.map(value) }
        // Shift by the largest z so that no e^(z_k) overflows; the result is the same function.
        var shift = z[0]
        for k in z.indices where z[k] > shift { shift = z[k] }
        var a = [Double](repeating: 0, count: z.count)
        var sum = 0.0
        for k in z.indices { a[k] = Double.exp(z[k] - shift); sum += a[k] }
        for k in z.indices { a[k] /= sum }
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
    /// Element-wise: f'(z) ⊙ u (the ⊙ of eq. (4.2) in docs/notation.md; the assignment prints ⊗).
    /// softmax: J = diag(s) − s sᵀ is symmetric, so Jᵀu = s ⊙ (u − (s·u)).
    public func backward(z: [Double], a: [Double], upstream u: [Double]) -> [Double] {
        guard self == .softmax else { return z.indices.map { derivative(z: z[$0], a: a[$0]) * u[$0] } }
        var su = 0.0
        for k in z.indices { su += a[k] * u[k] }
        return z.indices.map { a[$0] * (u[$0] - su) }
    }

    /// σ(z), split on the sign of z so that e^(−z) never overflows.
    @inlinable
    package static func sigmoid(_ z: Double) -> Double {
        if z >= 0 { return 1 / (1 + Double.exp(-z)) }
        let e = Double.exp(z)
        return e / (1 + e)
    }
}
