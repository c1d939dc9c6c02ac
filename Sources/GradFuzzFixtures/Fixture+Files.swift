import Foundation
import GradFuzzCore
import GradFuzzOracle

extension Fixture {
    /// The name of an exam's manifest, which sits beside its fixtures and is not one.
    public static let manifestName = "manifest.json"

    /// The fixture files named by `paths`: a file as it is, a directory by every *.json below it
    /// but an exam's manifest.json, sorted, so that runs list fixtures in the same order. A path
    /// that is a symlink to a directory is followed, and the files found are named under the path as given.
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
            // The enumerator does not descend into a symlink: walk its target, then name each file
            // under the path as given.
            let given = URL(fileURLWithPath: path, isDirectory: true)
            let target = given.resolvingSymlinksInPath().path
            let relative = manager.enumerator(atPath: target)?.compactMap { $0 as? String } ?? []
            found += relative.filter { $0.hasSuffix(".json") && ($0 as NSString).lastPathComponent != manifestName }.sorted()
                .map { given.appendingPathComponent($0) }.sorted { $0.path < $1.path }
        }
        return found
    }
}
