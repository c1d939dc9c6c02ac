import GradFuzzCore
import GradFuzzOracle
import Foundation

extension Fixture {
    /// The name of an exam's manifest, which sits beside its fixtures and is not one.
    public static let manifestName = "manifest.json"

    /// The fixture files named by `paths`: a file as it is, a directory by every *.json below it
    /// but an exam's manifest.json, sorted, so that runs list fixtures in the same order.
    public static func files(in paths: [String]) throws(InputError) -> [URL] {
        var found: [URL] = []
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw InputError(field: "(path)", "no such file or directory; expected a fixture file or a directory of them", file: path)
            }
            guard isDirectory.boolValue else {
                found.append(URL(fileURLWithPath: path))
                continue
            }
            let root = URL(fileURLWithPath: path, isDirectory: true)
            let all = manager.enumerator(at: root, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
            found += all.filter { $0.pathExtension == "json" && $0.lastPathComponent != manifestName }.sorted { $0.path < $1.path }
        }
        return found
    }
}
