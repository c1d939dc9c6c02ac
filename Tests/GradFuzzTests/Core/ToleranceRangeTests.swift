import Foundation
import GradFuzzCore
import GradFuzzFixtures
import GradFuzzStudents
import Testing

// The range of tolerances applied without --allow-loose-tolerance, and when a tolerance is said to
// be looser than the presets.

@Test func thePresetsAreInsideTheRangeAndNotLooserThanThemselves() {
    for preset in [Tolerance.float64, .float32, .oracle] {
        #expect(preset.beyondAllowedRange == nil && preset.loosenessNote == nil, "\(preset)")
    }
    // The limits themselves are inside; past them, the field is named.
    #expect(Tolerance(rtol: 1e-2, atol: 1e-3).beyondAllowedRange == nil)
    #expect(Tolerance(rtol: 0.9, atol: 1e-9).beyondAllowedRange?.field == "rtol")
    #expect(Tolerance(rtol: 1e-6, atol: 1e300).beyondAllowedRange?.field == "atol")
    #expect(Tolerance(rtol: 1e-6, atol: 1.0).beyondAllowedRange?.field == "atol")
    // Looser is judged against the preset of the tolerance's own precision.
    #expect(Tolerance(rtol: 1e-6, atol: 1e-2).loosenessNote == "tolerance rtol 1e-06, atol 0.01, looser than the float64 preset")
    #expect(Tolerance(rtol: 2e-3, atol: 1e-9).loosenessNote == nil, "float32's rtol with a tighter atol")
    #expect(Tolerance(rtol: 5e-3, atol: 1e-5).loosenessNote?.hasSuffix("looser than the float32 preset") == true)
    #expect(Tolerance(rtol: 1e-6, atol: 1e-8, precision: .float32).loosenessNote == nil)
}

/// Every committed exam with the family it is complete for.
private func committedExams() throws -> [(name: String, family: Family, fixtures: [Fixture])] {
    let root = packageRoot.appendingPathComponent("fixtures/exams")
    return try FileManager.default.contentsOfDirectory(atPath: root.path).sorted().map { name in
        let family = try #require(Family.named(name), "\(name) is not a named family")
        let files = try Fixture.files(in: [root.appendingPathComponent(name).path])
        return (name, family, try files.map { try Fixture.read(from: $0, oracle: nil) })
    }
}

@Test func atTheLoosestToleranceAllowedEveryExamStillRulesOutEveryMistake() throws {
    let exams = try committedExams()
    #expect(exams.count >= 5)
    // As loose as allowed, with a single-precision program's own rounding on top.
    let loosest = Tolerance(rtol: Tolerance.loosestAllowed.rtol, atol: Tolerance.loosestAllowed.atol, precision: .float32)
    for exam in exams {
        let coverage = MistakeCoverage(family: exam.family, passed: exam.fixtures, tolerance: { _ in loosest })
        #expect(coverage.complete, "\(exam.name): at \(loosest) no fixture catches \(coverage.missing)")
    }
    // The check can fail: far past the range, mistakes go uncaught.
    let hiding = Tolerance(rtol: 0.9, atol: 1, precision: .float32)
    let hidden = exams.filter { !MistakeCoverage(family: $0.family, passed: $0.fixtures, tolerance: { _ in hiding }).complete }
    #expect(hidden.count == exams.count, "rtol 0.9, atol 1 hide a mistake in every exam")
}
