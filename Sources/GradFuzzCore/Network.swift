/// A fully-connected network in the notation of docs/notation.md: layer sizes m_0, …, m_L, and for each layer
/// l = 1…L its activation f_l, W^(l) (m_{l−1} rows × m_l columns, row j column k holding w_jk)
/// and b^(l) (m_l entries). Arrays are 0-based: `W[l - 1]` is W^(l).
public struct Network: Equatable, Hashable, Sendable {
    public var layers: [Int]
    public var activations: [Activation]
    public var W: [Matrix]
    public var b: [[Double]]

    public init(layers: [Int], activations: [Activation], W: [Matrix], b: [[Double]]) {
        self.layers = layers
        self.activations = activations
        self.W = W
        self.b = b
    }

    /// L, the number of layers with weights.
    public var depth: Int { activations.count }
    /// The number of weights and biases.
    public var parameterCount: Int { (1...depth).reduce(0) { $0 + layers[$1 - 1] * layers[$1] + layers[$1] } }
}
