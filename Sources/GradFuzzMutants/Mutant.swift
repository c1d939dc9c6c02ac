import GradFuzzCore

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
    /// The fix as a numpy program writes it, for `layer` the topmost layer the mistake makes wrong
    /// (1-based) and the problem's loss. The arrays are the protocol's, 0-based: A[0] = X,
    /// Z[k] = A[k] @ W[k] + b[k], A[k+1] = f(Z[k]), G[k] = ∂L/∂Z[k] per sample (docs/notation.md).
    public func fix(layer: Int, loss: Loss) -> String {
        fix.replacing("{k+1}", with: "\(layer)").replacing("{k}", with: "\(layer - 1)").replacing("{dL_dA}", with: loss.gradientCode)
    }

    /// Where the mistake changes the result, in words ("a tanh layer").
    public let condition: String
    /// The wrong steps of the backward pass.
    public let hooks: BackwardHooks
    let applicability: @Sendable (Problem) -> Bool
    let familyCondition: @Sendable (Family) -> String?

    /// `cannotOccur` says why no problem of a family meets the condition, or nil when some may.
    public init(
        name: String, mistake: String, fix: String, condition: String, hooks: BackwardHooks,
        appliesTo applicability: @escaping @Sendable (Problem) -> Bool,
        cannotOccur familyCondition: @escaping @Sendable (Family) -> String? = { _ in nil }
    ) {
        self.name = name
        self.mistake = mistake
        self.fix = fix
        self.condition = condition
        self.hooks = hooks
        self.applicability = applicability
        self.familyCondition = familyCondition
    }

    /// Why the mistake cannot change the result of any problem in `family` (e.g. a tanh mistake in
    /// a family without tanh), or nil when it can occur there.
    public func whyCannotOccur(in family: Family) -> String? { familyCondition(family) }

    /// Whether the mistake changes the result on `problem`: its condition holds (e.g. a missing 1/m
    /// needs more than one sample) and its dW or db differ from the reference's beyond
    /// `Tolerance.float64` (not so where, say, every relu of the layer it breaks is dead). Elsewhere
    /// it computes what the reference computes, so it is only used where this holds.
    public func applies(to problem: Problem) -> Bool {
        meetsCondition(problem) && changesResult(on: problem)
    }

    /// Whether `problem` has what the mistake needs, as `condition` says: the layer, loss, batch or
    /// shapes it lives in. Cheap; says nothing about the values.
    public func meetsCondition(_ problem: Problem) -> Bool { applicability(problem) }

    /// Whether some entry of the mutant's dW or db differs from the reference's beyond `tolerance`.
    public func changesResult(on problem: Problem, tolerance: Tolerance = .float64) -> Bool {
        let wrong = gradients(problem), right = Reference.backprop(problem)
        let rounding = tolerance.programRounding(for: problem)
        func differ(_ x: [Double], _ y: [Double], _ allowance: [Double]?) -> Bool {
            x.count != y.count || x.indices.contains { !tolerance.accepts(expected: y[$0], got: x[$0], rounding: allowance?[$0] ?? 0) }
        }
        return right.dW.indices.contains { l in
            differ(wrong.dW[l].storage, right.dW[l].storage, rounding?.dW[l].storage)
                || differ(wrong.db[l], right.db[l], rounding?.db[l].storage)
        }
    }

    /// Whether the mistake is in how the batch is averaged (a missing or doubled 1/m, db summed):
    /// its answer is a whole factor of the reference's that depends on m, which a batch of 2 cannot
    /// tell from a factor 2 and a batch of 1 hides.
    public var dependsOnBatchSize: Bool {
        let varies = hooks.outputDeltaScale.map { $0(2) != $0(3) } ?? false
        return hooks.dWScale != nil || hooks.dbScale != nil || varies
    }

    /// Everything the mistaken backward pass computes, including the per-sample g.
    public func gradients(_ problem: Problem) -> Gradients { Reference.backprop(problem, hooks: hooks) }

    public func backprop(_ problem: Problem) -> Answer { gradients(problem).answer }

    public var description: String { "\(name): \(mistake)" }
}

extension Problem {
    /// The activations of the hidden layers 1…L−1 (none for a network of depth 1).
    var hiddenActivations: ArraySlice<Activation> { network.activations.dropLast() }

    /// Whether some layer, hidden or output, uses `f`.
    func uses(_ f: Activation) -> Bool { network.activations.contains(f) }
}

extension Mutant {
    /// The mutant as an implementation that answers only where it applies and declines elsewhere,
    /// as a student declines a problem it does not support (`Unsupported`): the fuzzer counts such
    /// cases as unsupported, so a failure it reports is always one the mistake makes.
    public var onlyWhereItApplies: ApplicableMutant { ApplicableMutant(mutant: self) }
}

/// See `Mutant.onlyWhereItApplies`.
public struct ApplicableMutant: BackpropImplementation {
    public let mutant: Mutant

    public var name: String { mutant.name }

    public func backprop(_ problem: Problem) throws -> Answer {
        guard mutant.meetsCondition(problem) else {
            throw Unsupported("\(mutant.name) does not apply: it needs \(mutant.condition)")
        }
        guard mutant.changesResult(on: problem) else {
            throw Unsupported("\(mutant.name) does not apply: here it computes the reference's answer")
        }
        return mutant.backprop(problem)
    }
}

extension Loss {
    /// dL/dA for this loss as a numpy program writes it, A[-1] the output and Y the targets.
    var gradientCode: String {
        switch self {
        case .squaredError: "A[-1] - Y"
        case .absoluteError: "np.sign(A[-1] - Y)"
        case .huber: "np.clip(A[-1] - Y, -1, 1)"
        case .logCosh: "np.tanh(A[-1] - Y)"
        case .crossEntropy: "-Y / A[-1]"
        case .binaryCrossEntropy: "-Y / A[-1] + (1 - Y) / (1 - A[-1])"
        case .hinge: "np.where(Y * A[-1] < 1, -Y, 0)"
        }
    }
}
