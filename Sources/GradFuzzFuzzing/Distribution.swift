import GradFuzzCore
import GradFuzzMutants
import GradFuzzFixtures
import GradFuzzOracle

/// What the fuzzer draws from: the ranges of shape and the activations and losses allowed.
///
/// Depth, widths and batch size are drawn within their ranges; every hidden layer's activation is
/// drawn from `activations` (softmax included: it may sit in any layer); the loss from `losses`, and
/// the output activation from those the loss accepts (`Loss.requiredOutput`).
public struct Distribution: Equatable, Codable, Sendable {
    /// L, the number of layers with weights.
    public var depth: ClosedRange<Int>
    /// m_0, …, m_L: each case draws a ceiling uniformly from this range, then each width
    /// log-uniformly up to it. Width 1 comes up in about one layer in four and wide networks in
    /// every run, while the typical case stays small: small cases find most bugs, and the oracle's
    /// cost grows with the square of the number of weights.
    public var width: ClosedRange<Int>
    /// m, the number of samples in the batch.
    public var batch: ClosedRange<Int>
    public var activations: [Activation]
    public var losses: [Loss]
    /// No relu/leaky_relu pre-activation, absolute_error residual a − y or hinge margin 1 − y·a is
    /// drawn closer than this to its kink, and no elu/softsign pre-activation or huber |a − y| to
    /// its curvature kink (0, 0 and 1): 100 × the oracle's step, so that a difference stencil
    /// reaching one, even amplified by the layers in between, is rare.
    public var kinkMargin: Double

    public init(depth: ClosedRange<Int> = 1...6, width: ClosedRange<Int> = 1...24, batch: ClosedRange<Int> = 1...8,
                activations: [Activation] = Activation.allCases, losses: [Loss] = Loss.allCases, kinkMargin: Double = 1e-2) {
        self.depth = depth
        self.width = width
        self.batch = batch
        self.activations = activations
        self.losses = losses
        self.kinkMargin = kinkMargin
    }

    /// The losses that can be drawn: those whose required output activation is allowed.
    public var drawableLosses: [Loss] {
        losses.filter { loss in loss.requiredOutput.map(activations.contains) ?? true }
    }

    /// Why nothing can be drawn from this distribution, or nil when it is usable.
    public var problem: String? {
        if depth.lowerBound < 1 { return "depth must be at least 1, got \(depth.lowerBound)" }
        if width.lowerBound < 1 { return "widths must be at least 1, got \(width.lowerBound)" }
        if batch.lowerBound < 1 { return "batch sizes must be at least 1, got \(batch.lowerBound)" }
        if activations.isEmpty { return "no activation allowed" }
        if losses.isEmpty { return "no loss allowed" }
        if drawableLosses.isEmpty {
            let needs = losses.map { "\($0.rawValue) needs \($0.requiredOutput?.rawValue ?? "?")" }.joined(separator: ", ")
            return "no allowed loss fits an allowed output activation (\(needs))"
        }
        return nil
    }

    /// "depth 1–6, widths 1–24, batch 1–8, activations …, losses …": what a run states first.
    public var summary: String {
        func range(_ r: ClosedRange<Int>) -> String { r.lowerBound == r.upperBound ? "\(r.lowerBound)" : "\(r.lowerBound)–\(r.upperBound)" }
        return "depth \(range(depth)), widths \(range(width)) (log-uniform below a per-case ceiling), batch \(range(batch)), "
            + "activations \(activations.map(\.rawValue).joined(separator: ",")), "
            + "losses \(drawableLosses.map(\.rawValue).joined(separator: ","))"
    }
}
