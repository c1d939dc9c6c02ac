/// Where in the network a layer's backward step happens.
public enum LayerPosition: Sendable {
    /// Layer L: δ^(i,L) = J_{f_L}(z)ᵀ ∇_a L.
    case output
    /// Layer l < L: g^(i,l) = J_{f_l}(z)ᵀ (W^(l+1) g^(i,l+1)).
    case hidden
}

/// The steps of the reference's backward pass (`Reference.backprop`) that a mistake can replace.
/// Every hook left nil is done as the reference does it, so a mistake states only what it gets wrong.
///
/// The steps, for sample i, in the notation of docs/notation.md:
/// 1. ∇_a L(a^(i,L), y^(i)), unit by unit — `lossGradient`;
/// 2. δ^(i,L) = J_{f_L}(z^(i,L))ᵀ ∇_a L — `layerBackward` at `.output`, then × `outputDeltaScale`;
/// 3. for l = L…1: dW^(l) += scale_W · a^(i,l−1) (g^(i,l))ᵀ — `dWInput`, `dWScale`; db^(l) += scale_b · g^(i,l) — `dbScale`;
/// 4. g^(i,l−1) = J_{f_{l−1}}(z^(i,l−1))ᵀ (W^(l) g^(i,l)) — `propagationWeight`, `layerBackward` at `.hidden`;
/// 5. at the end, dW^(l) of square layers transposed — `transposeSquareDW`.
public struct BackwardHooks: Sendable {
    /// ∂L/∂a_k for one output unit, in place of `Loss.gradient(a:y:)`.
    public var lossGradient: (@Sendable (_ loss: Loss, _ a: Double, _ y: Double) -> Double)?
    /// Jᵀu through one layer, given its z, its a = f(z) and the incoming u, in place of
    /// `Activation.backward`; nil where the layer is done as the reference does it.
    public var layerBackward: (@Sendable (_ f: Activation, _ z: [Double], _ a: [Double], _ u: [Double], _ position: LayerPosition) -> [Double]?)?
    /// The output activations after which δ^(i,L) is built from ∇_a L and the output Jacobian even
    /// where the reference uses the simplified forms (a − y for sigmoid with binary_cross_entropy,
    /// s·Σy − y for softmax with cross_entropy). A mistake in either of those two steps lists the
    /// activations it touches: a student who makes it computes the general form. Elsewhere the
    /// simplified form keeps saturated outputs free of 0/0.
    public var unfusedOutput: Set<Activation> = []
    /// The factor δ^(i,L) is multiplied by once computed, given the batch size m (e.g. −1, or 1/m).
    public var outputDeltaScale: (@Sendable (_ m: Int) -> Double)?
    /// The matrix that multiplies g^(i,l) when propagating to layer l − 1, given the network and l
    /// (docs/notation.md's l, 1-based), in place of W^(l).
    public var propagationWeight: (@Sendable (_ network: Network, _ l: Int) -> Matrix)?
    /// The vector that multiplies (g^(i,l))ᵀ in dW^(l), given l and the sample's forward values
    /// `values[k]` = a^(i,k) (`values[0]` = x^(i)), in place of a^(i,l−1).
    public var dWInput: (@Sendable (_ l: Int, _ values: [[Double]]) -> [Double])?
    /// The factor of each sample's term in dW, given the batch size m, in place of 1/m.
    public var dWScale: (@Sendable (_ m: Int) -> Double)?
    /// The factor of each sample's term in db, given m, in place of 1/m.
    public var dbScale: (@Sendable (_ m: Int) -> Double)?
    /// Whether dW^(l) is returned transposed where it is square (where shapes let the mistake go unnoticed).
    public var transposeSquareDW = false

    public init() {}
}
