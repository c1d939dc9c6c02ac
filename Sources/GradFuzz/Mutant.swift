/// A catalogued backprop mistake: the reference's backward pass with one step done the way a
/// student gets it wrong. Mutants prove that the harness catches real mistakes (every one must be
/// killed) and let a diagnosis name the mistake behind a failing answer.
public struct Mutant: BackpropImplementation, CustomStringConvertible {
    /// snake_case, e.g. "f_instead_of_fprime".
    public let name: String
    /// One sentence saying the mistake as a student makes it.
    public let mistake: String
    /// What the right computation is, said to the student who made the mistake.
    public let fix: String
    /// Where the mistake changes the result, in words ("a tanh layer").
    public let condition: String
    /// The wrong steps of the backward pass.
    public let hooks: BackwardHooks
    let applicability: @Sendable (Problem) -> Bool

    public init(name: String, mistake: String, fix: String, condition: String, hooks: BackwardHooks,
                appliesTo applicability: @escaping @Sendable (Problem) -> Bool) {
        self.name = name
        self.mistake = mistake
        self.fix = fix
        self.condition = condition
        self.hooks = hooks
        self.applicability = applicability
    }

    /// Whether the mistake can change the result on `problem`. Elsewhere it computes what the
    /// reference computes (e.g. a missing 1/m with one sample), so it is only used where this holds.
    public func applies(to problem: Problem) -> Bool { applicability(problem) }

    /// Everything the mistaken backward pass computes, including the per-sample g.
    public func gradients(_ problem: Problem) -> Gradients { MutatedBackprop.backprop(problem, hooks: hooks) }

    public func backprop(_ problem: Problem) -> Answer { gradients(problem).answer }

    public var description: String { "\(name): \(mistake)" }
}

extension Problem {
    /// The activations of the hidden layers 1…L−1 (none for a network of depth 1).
    var hiddenActivations: ArraySlice<Activation> { network.activations.dropLast() }

    /// Whether some layer, hidden or output, uses `f`.
    func uses(_ f: Activation) -> Bool { network.activations.contains(f) }
}
