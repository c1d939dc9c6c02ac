import Testing

/// Expects `got` within `bound` of `expected`, and says by how much when it is not.
public func expectClose(
    _ got: Double, _ expected: Double, within bound: Double, _ what: @autoclosure () -> String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let error = abs(got - expected)
    #expect(
        error <= bound, "\(what()): expected \(expected), got \(got), error \(error) > \(bound)",
        sourceLocation: sourceLocation)
}
