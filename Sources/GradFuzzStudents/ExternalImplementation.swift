import GradFuzzCore
import GradFuzzFixtures
import GradFuzzMutants
import Synchronization

/// A student's program as an implementation under test: `gradfuzz --impl 'python3 student.py'`.
/// Its requests have ids "1", "2", …; an {"error": …} answer is thrown as `Unsupported`.
public final class ExternalImplementation: BackpropImplementation {
    public let process: StudentProcess
    private let counter = Mutex(0)

    public init(
        command: [String], timeout: Duration = .seconds(10), startupAllowance: Duration = .seconds(10),
        maxLineBytes: Int = 64 << 20, user: StudentUser? = nil, workingDirectory: String? = nil
    ) {
        process = StudentProcess(
            command: command, timeout: timeout, startupAllowance: startupAllowance, maxLineBytes: maxLineBytes, user: user,
            workingDirectory: workingDirectory)
    }

    /// From one string, split as a shell would: "python3 student.py".
    public convenience init(commandLine: String, timeout: Duration = .seconds(10), startupAllowance: Duration = .seconds(10)) {
        self.init(command: ShellWords.split(commandLine), timeout: timeout, startupAllowance: startupAllowance)
    }

    public var name: String { process.commandLine }

    /// Request ids "1", "2", … in order.
    public func backprop(_ problem: Problem) async throws -> Answer {
        try await backprop(
            problem,
            id: counter.withLock { n in
                n += 1; return "\(n)"
            })
    }

    public func backprop(_ problem: Problem, id: String) async throws -> Answer {
        switch try await process.ask(problem, id: id) {
        case let .answer(answer): return answer
        case let .unsupported(message): throw Unsupported(message)
        case .described: throw StudentError(.wrongType, "answered with a \"family\" to a request that was not a describe request")
        }
    }

    /// The family the program declares in reply to the describe request, resolved; nil when it
    /// declares none (a program that answers the request as an ordinary one, declines it, or fails
    /// on it: the requests that follow say what is wrong with it). A declaration that cannot be read
    /// or names no valid family is refused.
    public func declaredFamily() async throws(FamilyDeclaration.Refusal) -> Family? {
        let statement: FamilyStatement
        do {
            guard case let .described(declared) = try await process.ask(FamilyDeclaration.problem, id: "describe", describe: true) else {
                return nil
            }
            statement = declared
        } catch  where error.kind == .badDeclaration {
            throw FamilyDeclaration.Refusal(description: "the program's answer to the describe request: \(error.message)")
        } catch {
            return nil
        }
        do throws(FamilyStatement.Refusal) { return try statement.resolve() } catch {
            throw FamilyDeclaration.Refusal(description: "the family declared by the program: \(error.description)")
        }
    }

    public func errorOutput() async -> String { await process.stderrTail() }

    /// Ends the protocol: closes the program's stdin and lets it exit.
    public func close() async { await process.close() }
}
