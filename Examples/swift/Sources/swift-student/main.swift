import Foundation
import GradFuzzCore

// gradfuzz-protocol/1 over stdin and stdout, for `SwiftStudent`:
//     gradfuzz validate -- swift run --package-path Examples/swift swift-student
// One JSON request per line in, one JSON answer per line out.

/// The request's id beside its problem fields (which `RawProblem` decodes).
struct RequestID: Decodable { var id: String }

func answer(_ line: Data) -> [String: Any] {
    let id = (try? JSONDecoder().decode(RequestID.self, from: line))?.id ?? ""
    do {
        let problem = try Problem(validating: JSONDecoder().decode(RawProblem.self, from: line))
        let result = try SwiftStudent().backprop(problem)
        var reply: [String: Any] = ["id": id, "dW": result.dW.map(\.nested), "db": result.db]
        if let cost = result.cost { reply["cost"] = cost }
        if let delta = result.delta { reply["delta"] = delta.map(\.nested) }
        return reply
    } catch {
        return ["id": id, "error": "\(error)"]
    }
}

while let line = readLine(strippingNewline: true) {
    guard !line.isEmpty else { continue }
    let reply = try JSONSerialization.data(withJSONObject: answer(Data(line.utf8)))
    FileHandle.standardOutput.write(reply + Data("\n".utf8))
}
