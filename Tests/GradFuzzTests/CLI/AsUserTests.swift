import Foundation
import Testing

// `validate --as-user NAME`: the program runs with that user's uid and gid and no supplementary
// groups, in a scratch folder of its own (owned by it, removed after), with a clean environment,
// so that it cannot read fixtures the grader keeps in a folder only root can enter. What the
// program sees is reported by the program itself, on its stderr, which validate shows.

/// A fixture in a folder only root may enter (mode 0700), as a grader keeps a hidden exam.
private func hiddenFixture(in directory: URL) throws -> URL {
    let hidden = directory.appendingPathComponent("hidden")
    try FileManager.default.createDirectory(at: hidden, withIntermediateDirectories: true)
    _ = chmod(hidden.path, 0o700)
    let fixture = hidden.appendingPathComponent("one-neuron.json")
    try FileManager.default.copyItem(at: packageRoot.appendingPathComponent("fixtures/curated/one-neuron.json"), to: fixture)
    return fixture
}

/// A shell script that says on stderr who and where it is, and whether it can read `secret`, then
/// exits before answering (validate shows its stderr).
private func introspectingStudent(in directory: URL, secret: URL) throws -> URL {
    let script = directory.appendingPathComponent("who.sh")
    try """
    #!/bin/sh
    read request
    {
      echo "uid=$(id -u) gid=$(id -g) groups=$(id -G)"
      echo "cwd=$(pwd) owner=$(stat -c %U:%a .)"
      echo "variables=$(env | cut -d= -f1 | grep -v -x -e PWD -e SHLVL -e _ -e OLDPWD | sort | tr '\\n' ' ')"
      echo "home=$HOME tmpdir=$TMPDIR path=$PATH lang=$LANG"
      if cat '\(secret.path)' > /dev/null 2>&1; then echo "fixture: READ"; else echo "fixture: UNREADABLE"; fi
    } >&2
    exit 3

    """.write(to: script, atomically: true, encoding: .utf8)
    _ = chmod(script.path, 0o755)
    return script
}

/// The value after `key=` on the line of `text` that has it.
private func value(_ key: String, in text: String) -> String? {
    guard let range = text.range(of: key + "=") else { return nil }
    return String(text[range.upperBound...].prefix { $0 != " " && $0 != "\n" })
}

@Test(.spawnsProcesses, .enabled(if: studentTestUser != nil, "needs root and a user gradfuzz-student (useradd)"))
func asUserRunsTheProgramAsThatUserWithNoGroupsInAScratchFolderWithACleanEnvironment() async throws {
    let user = try #require(studentTestUser)
    let directory = try temporaryDirectory("as-user")
    defer { try? FileManager.default.removeItem(at: directory) }
    let fixture = try hiddenFixture(in: directory)
    let student = try introspectingStudent(in: directory, secret: fixture)
    let run = try await runGradfuzz(["validate", "--as-user", user.name, "--fixtures", fixture.path, "--", student.path])
    let said = run.stdout
    #expect(run.status == 1 && said.contains("the program exited (status 3)"), "\(said) \(run.stderr)")
    #expect(value("uid", in: said) == "\(user.uid)" && value("gid", in: said) == "\(user.gid)", "\(said)")
    #expect(value("groups", in: said) == "\(user.gid)", "supplementary groups: \(said)")
    let scratch = try #require(value("cwd", in: said))
    #expect(value("owner", in: said) == "\(user.name):700", "\(said)")
    #expect(value("home", in: said) == scratch && value("tmpdir", in: said) == scratch, "\(said)")
    #expect(value("path", in: said) == "/usr/local/bin:/usr/bin:/bin" && value("lang", in: said) == "C.UTF-8", "\(said)")
    #expect(said.contains("variables=HOME LANG PATH PYTHONUNBUFFERED TMPDIR \n"), "the environment: \(said)")
    #expect(said.contains("fixture: UNREADABLE"), "the program read the hidden fixture: \(said)")
    #expect(!FileManager.default.fileExists(atPath: scratch), "the scratch folder was left behind")
}

@Test(.spawnsProcesses, .enabled(if: studentTestUser != nil, "needs root and a user gradfuzz-student (useradd)"))
func asUserSaysWhenTheStudentsFileIsNotReadableByThatUser() async throws {
    let user = try #require(studentTestUser)
    let directory = try temporaryDirectory("as-user-unreadable")
    defer { try? FileManager.default.removeItem(at: directory) }
    let fixture = try hiddenFixture(in: directory)
    // The student's script beside the hidden fixture, in the folder only root may enter.
    let student = try introspectingStudent(in: fixture.deletingLastPathComponent(), secret: fixture)
    let run = try await runGradfuzz(["validate", "--as-user", user.name, "--fixtures", fixture.path, "--", "sh", student.path])
    #expect(run.status == 2, "\(run.stdout) \(run.stderr)")
    #expect(run.stderr.contains("is not readable by user \(user.name)"), "\(run.stderr)")
    #expect(!run.stdout.contains("uid="), "the program ran: \(run.stdout)")
}

@Test(.spawnsProcesses) func asUserIsRefusedForAUserThatDoesNotExist() async throws {
    let run = try await runGradfuzz(["validate", "--as-user", "gradfuzz-no-such-user", "--", "python3", exampleStudent])
    #expect(run.status == 2)
    #expect(run.stderr.hasPrefix("gradfuzz: --as-user gradfuzz-no-such-user: ") && run.stderr.contains("no such user"), "\(run.stderr)")
    #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
}

@Test(.spawnsProcesses, .enabled(if: studentTestUser != nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), "needs root and setpriv"))
func asUserIsRefusedWhenGradfuzzIsNotRoot() async throws {
    let user = try #require(studentTestUser)
    let setpriv = Process()
    setpriv.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
    setpriv.arguments = [
        "--reuid=\(user.uid)", "--regid=\(user.gid)", "--clear-groups", gradfuzzExecutable.path,
        "validate", "--as-user", user.name, "--", "python3", exampleStudent,
    ]
    let errors = Pipe()
    setpriv.standardError = errors
    setpriv.standardOutput = FileHandle.nullDevice
    try setpriv.run()
    let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    setpriv.waitUntilExit()
    #expect(setpriv.terminationStatus == 2, "\(said)")
    #expect(said.contains("--as-user \(user.name): only root can run the program as another user"), "\(said)")
}
