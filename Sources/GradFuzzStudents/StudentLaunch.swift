import CGradFuzzSystem
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One start of a student's program, prepared: its executable found, its arguments, its
/// environment and working folder, and the user it runs as.
///
/// As gradfuzz's own user the program inherits gradfuzz's environment and working folder.
/// As another user (`StudentUser`) it gets a scratch folder of its own (mode 0700, owned by that
/// user, removed after the program and everything it started have ended) as its working folder,
/// and only this environment:
///
///     PATH=/usr/local/bin:/usr/bin:/bin  HOME=TMPDIR=<scratch>  LANG=C.UTF-8  PYTHONUNBUFFERED=1
///
/// Its command is found on that PATH, and an argument naming an existing file relative to
/// gradfuzz's folder is made absolute (`python3 student.py` still finds student.py); each file
/// named must be readable by that user, which is checked as that user before the program starts.
/// Python block-buffers a piped stdout, so PYTHONUNBUFFERED=1 is set either way: a student who
/// forgets to flush would look hung.
struct StudentLaunch: Sendable {
    /// The command as given, for messages.
    let command: [String]
    let executable: String
    /// argv, the command's first word as argv[0].
    let arguments: [String]
    let environment: [String]
    /// The working folder; nil keeps gradfuzz's.
    let directory: String?
    let user: StudentUser?
    /// Files the program's user must be able to read.
    let readable: [String]
    /// The scratch folder made for this start, removed by `removeScratch`.
    let scratch: String?

    static let cleanPath = "/usr/local/bin:/usr/bin:/bin"

    /// `workingDirectory`: the folder the command's relative paths are in, and the program's
    /// working folder when it runs as gradfuzz's user (nil: gradfuzz's own).
    init(command: [String], user: StudentUser?, workingDirectory: String? = nil) throws(StudentError) {
        guard let given = command.first, !given.isEmpty else {
            throw StudentError(.notFound, "no command given; expected the student's program, e.g. python3 student.py")
        }
        let here = workingDirectory ?? FileManager.default.currentDirectoryPath
        let first = given.contains("/") ? Self.absolute(given, in: here) : given
        let path = user == nil ? ProcessInfo.processInfo.environment["PATH"] ?? Self.cleanPath : Self.cleanPath
        if first.contains("/") {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: first, isDirectory: &isDirectory) else {
                throw StudentError(.notFound, "command not found: \(given) (no such file)")
            }
            guard !isDirectory.boolValue, FileManager.default.isExecutableFile(atPath: first) else {
                throw StudentError(.cannotStart, "\(given) is not an executable file (chmod +x it, or name its interpreter: python3 \(given))")
            }
            executable = first
        } else if let found = Self.lookUp(first, path: path) {
            // Said before any clock runs: on a busy machine a failed exec could come after a timeout.
            executable = found
        } else {
            throw StudentError.notOnPath(first, path: path)
        }
        self.command = command
        self.user = user
        guard let user else {
            arguments = [command[0]] + command.dropFirst()
            environment =
                ProcessInfo.processInfo.environment.filter { $0.key != "PYTHONUNBUFFERED" }.map { "\($0.key)=\($0.value)" }
                + ["PYTHONUNBUFFERED=1"]
            directory = workingDirectory
            readable = []
            scratch = nil
            return
        }
        arguments = [first] + command.dropFirst().map { FileManager.default.fileExists(atPath: Self.absolute($0, in: here)) ? Self.absolute($0, in: here) : $0 }
        readable = (first.contains("/") ? [executable] : []) + arguments.dropFirst().filter { FileManager.default.fileExists(atPath: $0) }
        let folder = try Self.scratchFolder(for: user)
        scratch = folder
        directory = folder
        environment = ["PATH=\(Self.cleanPath)", "HOME=\(folder)", "TMPDIR=\(folder)", "LANG=C.UTF-8", "PYTHONUNBUFFERED=1"]
    }

    /// Runs `arguments` as `user`, in "/", with the clean environment: a helper of gradfuzz's own.
    private init(helper arguments: [String], user: StudentUser) {
        command = arguments
        executable = arguments[0]
        self.arguments = arguments
        environment = ["PATH=\(Self.cleanPath)", "LANG=C.UTF-8"]
        directory = "/"
        self.user = user
        readable = []
        scratch = nil
    }

    /// Removes the scratch folder, once nothing the program started is left. As the program's
    /// user: root deleting a tree that another process of that user could still be changing
    /// could be led along a symbolic link out of it.
    func removeScratch() async {
        guard let scratch, let user else { return }
        let session = Session(launch: StudentLaunch(helper: ["/bin/rm", "-rf", "--", scratch], user: user), maxLineBytes: 1 << 16)
        session.closeInput()
        let deadline = ContinuousClock.now + .seconds(30)
        while session.exit == nil && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(5)) }
        _ = await session.end()
    }

    /// A new folder under /tmp, mode 0700, owned by `user`.
    private static func scratchFolder(for user: StudentUser) throws(StudentError) -> String {
        var template = Array("/tmp/gradfuzz-student-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) != nil }
        let folder = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard made, chown(folder, user.uid, user.gid) == 0, chmod(folder, 0o700) == 0 else {
            let why = String(cString: strerror(errno))
            if made { rmdir(folder) }
            throw StudentError(.cannotStart, "cannot make a scratch folder for user \(user.name) under /tmp: \(why)")
        }
        return folder
    }

    /// `path` made absolute against `directory`.
    static func absolute(_ path: String, in directory: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: directory, isDirectory: true)).standardizedFileURL.path
    }

    /// The executable file `name` (without "/") names in a directory of `path` (an empty entry is
    /// the current directory), as the shell and execvp look it up.
    static func lookUp(_ name: String, path: String) -> String? {
        for directory in path.split(separator: ":", omittingEmptySubsequences: false) {
            let file = (directory.isEmpty ? "." : String(directory)) + "/" + name
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) && !isDirectory.boolValue
                && FileManager.default.isExecutableFile(atPath: file)
            {
                return file
            }
        }
        return nil
    }

    /// Why the program did not start, from the supervisor's report of the step that failed.
    func notStarted(_ report: gradfuzz_report) -> StudentError {
        let why = String(cString: strerror(report.error))
        let who = user.map { "user \($0.described)" } ?? "gradfuzz's user"
        switch Int(report.step) {
        case Int(GRADFUZZ_STEP_SETGROUPS.rawValue), Int(GRADFUZZ_STEP_SETGID.rawValue), Int(GRADFUZZ_STEP_SETUID.rawValue):
            return StudentError(.cannotStart, "cannot run the program as \(who): \(why)")
        case Int(GRADFUZZ_STEP_CHDIR.rawValue):
            return StudentError(.cannotStart, "cannot enter the working folder \(directory ?? "") as \(who): \(why)")
        case Int(GRADFUZZ_STEP_READ.rawValue):
            let file = readable.indices.contains(Int(report.value)) ? readable[Int(report.value)] : "a file the command names"
            return StudentError(
                .cannotStart,
                "\(file) is not readable by \(who) (\(why)); make it, and every folder above it, readable by that user (chmod o+r the file, o+x the folders), or copy it where that user can read it"
            )
        default:
            if report.error == ENOENT { return StudentError(.notFound, "command not found: \(executable) (no such file)") }
            if report.error == ENOEXEC {
                return StudentError(
                    .cannotStart, "cannot start \(executable): not a program (a script needs a #! line, or name its interpreter: python3 \(executable))")
            }
            return StudentError(.cannotStart, "cannot start \(ShellWords.quoted(command)) as \(who): \(why)")
        }
    }

    /// Calls `body` with the launch as C sees it, its strings alive for the call.
    func withC<Result>(_ body: (UnsafePointer<gradfuzz_launch>) -> Result) -> Result {
        func strings(_ list: [String]) -> [UnsafeMutablePointer<CChar>?] { list.map { strdup($0) } + [nil] }
        let argv = strings(arguments), envp = strings(environment), files = strings(readable)
        let path = strdup(executable), folder = directory.map { strdup($0) } ?? nil
        defer { (argv + envp + files + [path, folder]).forEach { free($0) } }
        return argv.withUnsafeBufferPointer { argv in
            envp.withUnsafeBufferPointer { envp in
                files.withUnsafeBufferPointer { files in
                    files.withMemoryRebound(to: UnsafePointer<CChar>?.self) { files in
                        var launch = gradfuzz_launch(
                            path: path, argv: argv.baseAddress, envp: envp.baseAddress, directory: folder, change_user: user == nil ? 0 : 1,
                            uid: user?.uid ?? 0, gid: user?.gid ?? 0, readable: files.baseAddress)
                        return body(&launch)
                    }
                }
            }
        }
    }
}
