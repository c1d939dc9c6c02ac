import GradFuzzCore
import GradFuzzFixtures
import GradFuzzMutants
import GradFuzzOracle

/// What the fuzzer draws from: a `Family` with every range bounded, and the margin kept from kinks.
///
/// Depth, widths and batch size are drawn within the family's ranges; every hidden layer's
/// activation from its hidden activations (softmax included: it may sit in any layer); the loss
/// from those that fit an allowed output activation, and the output activation from those the
/// loss accepts (`Loss.requiredOutput`); classification targets as the family's labels say.
public struct Distribution: Equatable, Codable, Sendable {
    /// The family drawn from, every upper bound finite.
    public private(set) var family: Family
    /// No relu/leaky_relu pre-activation, absolute_error residual a − y or hinge margin 1 − y·a is
    /// drawn closer than this to its kink, and no elu/softsign pre-activation or huber |a − y| to
    /// its curvature kink (0, 0 and 1): 100 × the oracle's step, so that a difference stencil
    /// reaching one, even amplified by the layers in between, is rare.
    public var kinkMargin: Double

    /// The ceilings put on a family's unlimited ranges: depth 6, widths 24, batch 8.
    public static let defaultDepth = 6, defaultWidth = 24, defaultBatch = 8

    /// Draws from `family`; a range without an upper bound gets the default ceiling (or its lower bound, if larger).
    public init(family: Family, kinkMargin: Double = 1e-2) {
        func bounded(_ r: ClosedRange<Int>, _ ceiling: Int) -> ClosedRange<Int> {
            r.upperBound != Family.unlimited ? r : r.lowerBound...max(r.lowerBound, ceiling)
        }
        var f = family
        f.depth = bounded(f.depth, Self.defaultDepth)
        f.width = bounded(f.width, Self.defaultWidth)
        f.outputs = f.outputs.map { bounded($0, Self.defaultWidth) }
        f.batch = bounded(f.batch, Self.defaultBatch)
        self.family = f
        self.kinkMargin = kinkMargin
    }

    /// Any activation in any layer (`activations`), the `losses`, within the ranges given.
    public init(
        depth: ClosedRange<Int> = 1...defaultDepth, width: ClosedRange<Int> = 1...defaultWidth,
        batch: ClosedRange<Int> = 1...defaultBatch, activations: [Activation] = Activation.allCases,
        losses: [Loss] = Loss.allCases, kinkMargin: Double = 1e-2
    ) {
        self.init(
            family: Family(
                hiddenActivations: activations, outputActivations: activations, losses: losses,
                depth: depth, width: width, batch: batch),
            kinkMargin: kinkMargin)
    }

    /// L, the number of layers with weights.
    public var depth: ClosedRange<Int> { family.depth }
    /// m_0, …, m_L (m_L within `family.outputs` when it is set): each case draws a ceiling
    /// uniformly from this range, then each width log-uniformly up to it. Width 1 comes up in about
    /// one layer in four and wide networks in every run, while the typical case stays small: small
    /// cases find most bugs, and the oracle's cost grows with the square of the number of weights.
    public var width: ClosedRange<Int> { family.width }
    /// m, the number of samples in the batch.
    public var batch: ClosedRange<Int> { family.batch }

    /// The losses that can be drawn: those whose required output activation is allowed.
    public var drawableLosses: [Loss] { family.drawableLosses }

    /// Why nothing can be drawn from this distribution, or nil when it is usable.
    public var problem: String? { family.problem }

    /// "activations …; losses …; depth 1–6; widths 1–24 …; batch 1–8": what a run states first.
    public var summary: String { family.summary + " (widths log-uniform below a per-case ceiling)" }
}
