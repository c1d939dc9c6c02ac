// The umbrella: `import GradFuzz` brings every layer, as swift-numerics' `Numerics` does.
@_exported import GradFuzzCore
@_exported import GradFuzzFixtures
@_exported import GradFuzzFuzzing
@_exported import GradFuzzJudging
@_exported import GradFuzzMutants
@_exported import GradFuzzOracle
@_exported import GradFuzzReport
@_exported import GradFuzzStudents
