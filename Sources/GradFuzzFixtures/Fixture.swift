import Foundation
import GradFuzzCore
import GradFuzzOracle

/// A problem with the answers that checking it needs: the "gradfuzz-fixture/1" format.
///
/// The problem fields alone ("layers" … "Y") are a complete problem that a student can load in any
/// language; "expected" holds the reference's values and "oracle" GSL's, with its error estimates.
public struct Fixture: Equatable, Sendable {
    public static let schema = "gradfuzz-fixture/1"

    public var id: String
    public var description: String
    public var origin: Origin
    public var problem: Problem
    /// The reference's answer, with cost and per-sample delta.
    public var expected: Gradients
    /// The oracle's values as the file stores them; nil for a problem file read without computing
    /// them (replay computes a fresh oracle, validate needs none), computed when it is written.
    public var oracle: OracleResult?
    /// What a validator applies by default to an answer against `expected`.
    public var tolerance: Tolerance
    /// The file's top-level fields that are none of the format's (a course's notes or points), in
    /// the order written: kept, so that rewriting a user's file (--complete, --refresh) loses nothing.
    public var otherFields: [OtherField] = []

    /// A field gradfuzz does not read, with its value as JSON text (numbers as written).
    public struct OtherField: Equatable, Sendable {
        public var name: String
        public var json: String

        public init(name: String, json: String) {
            self.name = name
            self.json = json
        }
    }

    /// Where a fixture came from: {"kind": "curated"} or {"kind": "fuzz", "seed": …, "iteration": …, …}.
    public struct Origin: Codable, Equatable, Sendable {
        public var kind: String
        public var seed: UInt64?
        public var iteration: Int?
        /// The failing case's layer sizes and batch size before it was shrunk.
        public var unshrunkLayers: [Int]?
        public var unshrunkBatch: Int?
        /// The implementation under test when it was found.
        public var implementation: String?
        /// The command that replays it.
        public var command: String?

        public init(
            kind: String, seed: UInt64? = nil, iteration: Int? = nil, unshrunkLayers: [Int]? = nil,
            unshrunkBatch: Int? = nil, implementation: String? = nil, command: String? = nil
        ) {
            self.kind = kind
            self.seed = seed
            self.iteration = iteration
            self.unshrunkLayers = unshrunkLayers
            self.unshrunkBatch = unshrunkBatch
            self.implementation = implementation
            self.command = command
        }

        public static let curated = Origin(kind: "curated")
    }

    /// A fixture for `problem`, with the reference's and the oracle's values computed now (the
    /// oracle's when it is written, for `oracle` nil).
    public init(
        id: String, description: String, origin: Origin, problem: Problem,
        oracle: Oracle? = Oracle(), tolerance: Tolerance = .float64
    ) {
        self.id = id
        self.description = description
        self.origin = origin
        self.problem = problem
        self.expected = Reference.backprop(problem)
        self.oracle = oracle?.differentiate(problem, delta: false)
        self.tolerance = tolerance
    }
}
