/// What an implementation of backpropagation answers for a problem: dW and db, and optionally the
/// cost and the per-sample error signals g^(i,l) (row i of `delta[l − 1]`, without the 1/m).
public struct Answer: Equatable, Sendable {
    public var dW: [Matrix]
    public var db: [[Double]]
    public var cost: Double?
    public var delta: [Matrix]?

    public init(dW: [Matrix], db: [[Double]], cost: Double? = nil, delta: [Matrix]? = nil) {
        self.dW = dW
        self.db = db
        self.cost = cost
        self.delta = delta
    }
}

extension Gradients {
    /// The reference's answer, with everything optional filled in.
    public var answer: Answer { Answer(dW: dW, db: db, cost: cost, delta: delta) }
}

/// An implementation of backpropagation under test: the reference, a catalogued mistake, a Swift
/// student, or an external program speaking gradfuzz-protocol/1.
///
/// When it cannot answer it throws; `AnswerFailure(error)` says how that counts.
public protocol BackpropImplementation: Sendable {
    /// How reports name it.
    var name: String { get }
    /// The gradient of the problem's cost.
    func backprop(_ problem: Problem) async throws -> Answer
    /// The same, asked as request `id` (a fixture's id), which an external program sees.
    func backprop(_ problem: Problem, id: String) async throws -> Answer
    /// What the implementation wrote on its error stream (a program's stderr) while answering the
    /// last request, its last lines; or "".
    func errorOutput() async -> String
    /// Ends the implementation's use: an external program's stdin is closed and it exits.
    func close() async
}

extension BackpropImplementation {
    public func backprop(_ problem: Problem, id: String) async throws -> Answer { try await backprop(problem) }
    public func errorOutput() async -> String { "" }
    public func close() async {}
}

/// The reference backprop as an implementation under test.
public struct ReferenceImplementation: BackpropImplementation {
    public init() {}
    public var name: String { "reference" }
    public func backprop(_ problem: Problem) -> Answer { Reference.backprop(problem).answer }
}
