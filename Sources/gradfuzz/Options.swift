import ArgumentParser
import GradFuzz

/// --timeout and --startup: how long a student's program may take to answer. Shared by `fuzz`,
/// `replay` (with --impl) and `validate`.
struct TimeoutOptions: ParsableArguments {
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Seconds to wait for each answer of a program before it is stopped and restarted.", valueName: "seconds"))
    var timeout: Double = 10

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Extra seconds for a program's first answer after each start, while it loads (numpy, a JIT).", valueName: "seconds"))
    var startup: Double = 10

    func validate() throws {
        guard timeout > 0 && timeout <= 86400 else {
            throw ValidationError("--timeout: expected seconds greater than 0 and at most 86400, got \(timeout)")
        }
        guard startup >= 0 && startup <= 86400 else {
            throw ValidationError("--startup: expected seconds from 0 to 86400, got \(startup)")
        }
    }

    var answerTimeout: Duration { .milliseconds(Int64(timeout * 1000)) }
    var startupAllowance: Duration { .milliseconds(Int64(startup * 1000)) }
}

/// The tolerance presets of `--tolerance` (fuzz, replay and validate).
enum TolerancePreset: String, ExpressibleByArgument, CaseIterable {
    case float64, float32

    var tolerance: Tolerance { self == .float32 ? .float32 : .float64 }
}

/// --tolerance, --rtol and --atol of `fuzz` and `replay`: how far an answer may lie from the
/// expected values. fuzz applies float64 when they are absent and stores the tolerance in every
/// fixture it writes; replay, like validate, applies each fixture's own. Against the GSL oracle the
/// oracle's error estimate (×10) is allowed on top (`Tolerance.againstOracle`).
struct ToleranceOptions: ParsableArguments {
    @Option(help: "Tolerance preset; float32 accepts a program computing in single precision.")
    var tolerance: TolerancePreset?

    @Option(parsing: .unconditional, help: ArgumentHelp("Relative tolerance, overriding the preset.", valueName: "x"))
    var rtol: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("Absolute tolerance, overriding the preset.", valueName: "x"))
    var atol: Double?

    @Flag(
        name: .customLong("allow-loose-tolerance"),
        help: ArgumentHelp(
            "Apply an rtol above \(Tolerance.loosestAllowed.rtol) or an atol above \(Tolerance.loosestAllowed.atol) "
                + "(from a flag or a fixture), loose enough to hide real mistakes."))
    var allowsLooseTolerance = false

    func validate() throws {
        if let rtol, !(rtol >= 0 && rtol < 1) { throw ValidationError("--rtol: expected a number from 0 up to (not including) 1, got \(rtol)") }
        if let atol, !(atol >= 0 && atol.isFinite) { throw ValidationError("--atol: expected a finite number ≥ 0, got \(atol)") }
        guard !allowsLooseTolerance else { return }
        // Each flag on its own: whatever it is combined with, it is applied as given.
        for (flag, value) in [("--rtol", rtol), ("--atol", atol)] {
            guard let value else { continue }
            let given = flag == "--rtol" ? Tolerance(rtol: value, atol: 0) : Tolerance(rtol: 0, atol: value)
            if let beyond = given.beyondAllowedRange { throw ValidationError("\(flag): \(beyond.why); \(Tolerance.override)") }
        }
    }

    /// The tolerance chosen: the preset, or `base` without one, with --rtol and --atol applied.
    func tolerance(over base: Tolerance) -> Tolerance {
        Tolerance.chosen(tolerance?.tolerance ?? base, rtol: rtol, atol: atol)
    }
}

/// --no-cost of `fuzz`, `replay` and `validate`: grade the gradients only. Real course code returns
/// inf (or 1.797e308) for the cost of a saturated network whose gradients are right; a program may
/// also leave "cost" out of its answers (the Python adapter: return no "cost"), with the same effect.
struct CostOptions: ParsableArguments {
    @Flag(
        name: .customLong("no-cost"),
        help: "Leave the program's cost out of the verdict: grade dW, db (and delta) only, even when it sends \"cost\".")
    var noCost = false

    var cost: CostCheck { noCost ? .ignored : .compared }
}

extension Oracle.Method: ExpressibleByArgument {}

/// --oracle of `fuzz`, `replay` and `bench`: what the GSL oracle differentiates.
struct OracleOptions: ParsableArguments {
    @Option(help: ArgumentHelp(Self.help, valueName: "units|entries"))
    var oracle: Oracle.Method = .units

    static let help =
        "What GSL differentiates: units (each sample's loss by each pre-activation; dW and db summed from it exactly) "
        + "or entries (the batch's cost by each weight and bias; slower by about the fan-in)."
}

/// A comma-separated list of names of a contract's enumeration (activations, losses), parsed once
/// into its values: "relu,tanh".
struct NameList<T: RawRepresentable & CaseIterable & Equatable & Sendable>: Sendable where T.RawValue == String {
    var values: [T]

    /// The values named in `text`, in order, each once; says which name is unknown and what was expected.
    static func parse(_ text: String) throws -> NameList {
        var values: [T] = []
        for name in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            guard let value = T(rawValue: name) else {
                throw ValidationError("unknown name \"\(name)\"; expected some of \(T.allCases.map(\.rawValue).joined(separator: ","))")
            }
            if !values.contains(value) { values.append(value) }
        }
        guard !values.isEmpty else {
            throw ValidationError("expected at least one of \(T.allCases.map(\.rawValue).joined(separator: ","))")
        }
        return NameList(values: values)
    }
}

/// Checks of option values, each saying what was expected.
enum Expect {
    /// A whole number within `range` (upper limits keep a case's matrices within memory).
    static func whole(_ value: Int, _ flag: String, in range: ClosedRange<Int>) throws {
        guard !range.contains(value) else { return }
        let expected = range.upperBound == Int.max ? "≥ \(range.lowerBound)" : "from \(range.lowerBound) to \(range.upperBound)"
        throw ValidationError("\(flag): expected a whole number \(expected), got \(value)")
    }

    /// A path that is not empty.
    static func path(_ value: String?, _ flag: String, _ what: String) throws {
        if value?.isEmpty == true { throw ValidationError("\(flag): expected \(what), got an empty path") }
    }

    /// The files a run writes, checked before any work: each writable, none of them an input (or a
    /// file holding a fixture), no two the same (`OutputPaths`).
    static func outputs(_ outputs: [(option: String, path: String?)], inputs: [String] = []) throws {
        do throws(OutputPathError) { try OutputPaths.check(outputs, inputs: inputs) } catch { throw ValidationError(error.description) }
    }

    /// A seed: a whole number from 0 to UInt64.max.
    @Sendable static func seed(_ text: String) throws -> UInt64 {
        guard let value = UInt64(text) else { throw ValidationError("expected a whole number from 0 to \(UInt64.max)") }
        return value
    }

    /// K/N with 1 ≤ K ≤ N.
    @Sendable static func shard(_ text: String) throws -> Shard {
        do { return try Shard(parsing: text) } catch { throw ValidationError(error.message) }
    }
}

extension ValidationError {
    /// An input error (a file, a field, a flag) as a usage error: one line, exit status 2.
    init(_ error: InputError) { self.init(error.description) }
}
