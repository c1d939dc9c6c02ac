import Foundation

/// Students' submissions for the autograder's tests: folders holding student.py (and the protocol's
/// helper, gradfuzz_student.py), run as `python3 student.py` in their folder.
enum Submission: String, CaseIterable {
    case correct, buggy, crashing, syntaxError = "syntax-error", hanging, strayPrint = "stray-print", cheating, slow

    static let examples = packageRoot.appendingPathComponent("Examples/python")

    /// The folder's student.py.
    func program() throws -> String {
        let correct = try String(contentsOf: Self.examples.appendingPathComponent("student.py"), encoding: .utf8)
        switch self {
        case .correct: return correct
        case .buggy:
            // Summed over the batch without the 1/m: a catalogued mistake.
            let buggy = correct.replacingOccurrences(of: "dW[l] = A[l].T @ g / m", with: "dW[l] = A[l].T @ g")
            guard buggy != correct else { throw CocoaError(.fileReadCorruptFile) }
            return buggy
        case .crashing: return "import os, sys\nsys.stdin.readline()\nos.abort()\n"
        case .syntaxError: return "def backprop(W, b:\n    return W\n"
        case .hanging: return "import sys, time\nsys.stdin.readline()\nwhile True:\n    time.sleep(1)\n"
        case .strayPrint: return "print(\"starting\")\n" + correct
        case .cheating: return Self.cheater
        case .slow:
            // Right, in plain Python (no numpy to load), but a second per answer.
            let minimal = try String(contentsOf: Self.examples.appendingPathComponent("minimal_student.py"), encoding: .utf8)
            let slow = minimal.replacingOccurrences(
                of: "    print(json.dumps(reply), flush=True)", with: "    time.sleep(1)\n    print(json.dumps(reply), flush=True)")
            guard slow != minimal else { throw CocoaError(.fileReadCorruptFile) }
            return "import time\n" + slow
        }
    }

    /// Looks for the exam everywhere a program of the same user might (its parent's command line and
    /// environment, its own, files named there, the files around it), keeps what it saw in seen.txt,
    /// and answers zeros: what it finds cannot make it right.
    static let cheater = #"""
        import glob, json, os, sys
        import numpy as np
        from gradfuzz_student import answer, reply

        seen = []
        def look(path):
            try:
                with open(path, "rb") as f:
                    text = f.read(1 << 20).replace(b"\0", b" ").decode("utf-8", "replace")
                seen.append("== " + path + "\n" + text)
                return text
            except Exception as e:
                seen.append("== " + path + " unreadable: " + str(e))
                return ""

        parent = os.getppid()
        cmdline = look(f"/proc/{parent}/cmdline")
        look(f"/proc/{parent}/environ")
        look("/proc/self/environ")
        for word in cmdline.split():
            if os.path.isdir(word):
                for name in glob.glob(os.path.join(word, "**", "*.json"), recursive=True):
                    look(name)
        for name in glob.glob(os.path.join(os.path.dirname(os.getcwd()), "**", "*.json"), recursive=True):
            look(name)
        with open("seen.txt", "w") as f:
            f.write("\n".join(seen))

        def backprop(W, b, X, Y, activations, loss):
            return {"dW": [np.zeros_like(w) for w in W], "db": [np.zeros_like(v) for v in b]}

        for line in iter(sys.stdin.readline, ""):
            with open("requests.txt", "a") as f:
                f.write(line)
            reply(answer(json.loads(line), backprop))
        """#

    /// Writes the submission into `folder`.
    func write(to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try program().write(to: folder.appendingPathComponent("student.py"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(
            at: Self.examples.appendingPathComponent("gradfuzz_student.py"), to: folder.appendingPathComponent("gradfuzz_student.py"))
    }
}
