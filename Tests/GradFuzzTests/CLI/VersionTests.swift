import GradFuzz
import Testing

@Test(.spawnsProcesses) func versionIsTheConstantAndASemanticVersion() async throws {
    let run = try await runGradfuzz(["--version"])
    #expect(run.status == 0, "\(run.stderr)")
    let printed = run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(printed == GradFuzzVersion.current)
    // What ci/release.sh accepts as the tarball's version.
    #expect(printed.wholeMatch(of: /[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?/) != nil, "\(printed)")
}
