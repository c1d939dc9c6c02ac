extension Family {
    /// The problems that belong to both families, as a family; nil when no choice of activations,
    /// losses or sizes is common to both. Hard labels are the narrower kind (a one-hot row is also a
    /// probability row), and one activation throughout narrows a family too.
    ///
    /// A program's own declaration, narrowed by the command line or by an exam's family, is read this way.
    public func intersection(_ other: Family) -> Family? {
        func common<T: Equatable>(_ mine: [T], _ theirs: [T]) -> [T]? {
            let both = mine.filter(theirs.contains)
            return both.isEmpty ? nil : both
        }
        func overlap(_ a: ClosedRange<Int>, _ b: ClosedRange<Int>) -> ClosedRange<Int>? {
            let low = max(a.lowerBound, b.lowerBound), high = min(a.upperBound, b.upperBound)
            return low <= high ? low...high : nil
        }
        func narrower(_ a: Labels, _ b: Labels) -> Labels { a == .hard || b == .hard ? .hard : .soft }
        // Without a hidden activation in common, only networks without a hidden layer are.
        let hidden = common(hiddenActivations, other.hiddenActivations) ?? []
        guard let output = common(outputActivations, other.outputActivations),
            let losses = common(self.losses, other.losses),
            let depth = overlap(overlap(self.depth, other.depth) ?? 0...0, hidden.isEmpty ? 1...1 : 1...Self.unlimited),
            let width = overlap(self.width, other.width), let batch = overlap(self.batch, other.batch)
        else { return nil }
        var outputs: ClosedRange<Int>?
        if self.outputs != nil || other.outputs != nil {
            guard let both = overlap(outputWidth, other.outputWidth) else { return nil }
            outputs = both
        }
        let family = Family(
            hiddenActivations: hidden, outputActivations: output, losses: losses, depth: depth, width: width, outputs: outputs,
            batch: batch, crossEntropyLabels: narrower(crossEntropyLabels, other.crossEntropyLabels),
            binaryLabels: narrower(binaryLabels, other.binaryLabels), sameActivation: sameActivation || other.sameActivation)
        return family.problem == nil ? family : nil
    }
}
