import GradFuzzCore

extension ValidationReport {
    /// When the program declined most fixtures and no family was stated: how to state one, and the
    /// named family closest to what it did (the most fixtures it answered, the fewest it declined).
    public var familyAdvice: String? {
        let declined = results.filter { $0.outcome == .unsupported }.compactMap(\.problem)
        guard declined.count * 2 > results.count else { return nil }
        let answered = results.filter { $0.outcome == .pass || $0.outcome == .fail }.compactMap(\.problem)
        var text =
            "the program declined \(declined.count) of \(results.count) fixtures: state the family it supports, with --family NAME "
            + "or the family options (--hidden-activations, --output-activations, --losses, --labels), or declare it in the program (docs/protocol.md)"
        let scored = Family.named.map { named in
            (named, answered.count { named.family.whyOutside($0) == nil }, declined.count { named.family.whyOutside($0) == nil })
        }
        if let best = scored.filter({ $0.1 > 0 }).max(by: { ($0.1 - $0.2, -$0.2) < ($1.1 - $1.2, -$1.2) }) {
            text +=
                "; the closest named family: --family \(best.0.name) (\(best.0.description): it holds \(best.1) of the \(answered.count) fixtures the program answered and \(best.2) of those it declined)"
        }
        return text
    }
}
