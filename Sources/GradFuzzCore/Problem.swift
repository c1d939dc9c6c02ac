/// One gradient-checking problem: a network, a loss and a batch of m samples.
/// Row i of X is x^(i) = a^(i,0); row i of Y is y^(i).
public struct Problem: Equatable, Hashable, Sendable {
    public var network: Network
    public var loss: Loss
    public var X: Matrix
    public var Y: Matrix

    public init(network: Network, loss: Loss, X: Matrix, Y: Matrix) {
        self.network = network
        self.loss = loss
        self.X = X
        self.Y = Y
    }

    /// m, the number of samples.
    public var batchSize: Int { X.rows }
}
