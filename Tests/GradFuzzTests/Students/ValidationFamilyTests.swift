import Foundation
import GradFuzz
import GradFuzzTestSupport
import Testing

@testable import GradFuzzStudents

// Validation within a family: fixtures outside it skipped, the exam's completeness reported.

@Test func validationSkipsFixturesOutsideTheFamilyAndReportsTheExamComplete() async throws {
    let examCases = try Validation.load([packageRoot.appendingPathComponent("fixtures/exams/relu-softmax-cross-entropy").path])
    let curated = try Validation.load([packageRoot.appendingPathComponent("fixtures/curated").path])
    let options = Validation.Options(family: reluSoftmax)
    let report = await Validation.run(curated + examCases, implementation: ReferenceImplementation(), options: options)
    #expect(report.outside.count >= curated.count - 3, "\(report.outside.count) of \(curated.count) curated fixtures outside")
    #expect(report.results.count == curated.count + examCases.count - report.outside.count)
    #expect(report.exitCode == 0 && report.summary.contains("outside the family (skipped)"), "\(report.summary)")
    #expect(report.mistakes?.complete == true, "\(report.mistakes?.summary ?? "")")
    // A mistaken program fails inside the family; the fixtures it fails rule nothing out.
    let mistaken = MutantCatalog.named("softmax_jacobian_diagonal")!
    let wrong = await Validation.run(examCases, implementation: mistaken, options: options)
    #expect(wrong.exitCode == 1 && wrong.mistakes?.complete == false && wrong.mistakes?.missing.contains("softmax_jacobian_diagonal") == true)
    // Nothing inside the family: exit 2.
    let empty = await Validation.run(curated.filter { $0.fixture.id == "one-neuron" }, implementation: ReferenceImplementation(), options: options)
    #expect(empty.results.isEmpty && empty.exitCode == 2)
}
