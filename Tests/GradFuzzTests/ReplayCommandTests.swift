import Foundation
import Testing

@Test func replayPrintsLayerByLayerAndExitsZeroWhenAllPass() throws {
    let run = try runGradfuzz(["replay", "fixtures/curated/hidden-softmax.json", "fixtures/curated/deep.json"], directory: packageRoot)
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.contains("hidden-softmax — PASS"))
    #expect(run.stdout.contains("layer  matrix  checked"))
    #expect(run.stdout.contains("    9  delta"), "the deep fixture's ninth layer is listed:\n\(run.stdout)")
    #expect(run.stdout.contains("2 passed, 0 failed"))
}

@Test func replayExitsTwoOnBadInputAndStillReplaysTheRest() throws {
    let bad = FileManager.default.temporaryDirectory.appendingPathComponent("gradfuzz-replay-\(UInt32.random(in: 0...UInt32.max)).json")
    try Data("{\"schema\": \"gradfuzz-fixture/1\", \"layers\": [2, 1], \"activations\": [\"swish\"]}".utf8).write(to: bad)
    defer { try? FileManager.default.removeItem(at: bad) }
    let run = try runGradfuzz(["replay", bad.path, "fixtures/curated/one-neuron.json"], directory: packageRoot)
    #expect(run.status == 2)
    #expect(run.stderr.contains("\(bad.path): \"activations[0]\": unknown activation \"swish\""), "\(run.stderr)")
    #expect(run.stdout.contains("one-neuron — PASS"))
    let missing = try runGradfuzz(["replay", "no/such/dir"], directory: packageRoot)
    #expect(missing.status == 2)
    #expect(missing.stderr.contains("no such file or directory"))
}
