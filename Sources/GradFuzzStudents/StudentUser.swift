import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The user a student's program runs as (`validate --as-user NAME`): that user's uid and primary
/// gid, with no supplementary groups, so that the program reads only what that user may read.
public struct StudentUser: Sendable, Equatable {
    public let name: String
    public let uid: uid_t
    public let gid: gid_t

    /// Why a program cannot be run as another user, in one line.
    public struct Refusal: Error, CustomStringConvertible {
        public let description: String
    }

    /// The user named `name`. Refused unless gradfuzz runs as root (only root can change its
    /// ids), when no such user exists, and for root itself (which would hide nothing).
    public static func named(_ name: String) throws(Refusal) -> StudentUser {
        guard geteuid() == 0 else {
            throw Refusal(
                description:
                    "--as-user \(name): only root can run the program as another user (gradfuzz runs as uid \(geteuid())); run gradfuzz as root, or leave out --as-user"
            )
        }
        guard let entry = getpwnam(name) else {
            throw Refusal(description: "--as-user \(name): no such user; expected a user of this machine (create one: useradd --no-create-home \(name))")
        }
        let user = StudentUser(name: name, uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
        guard user.uid != 0 else {
            throw Refusal(description: "--as-user \(name): that user is root (uid 0), who can read everything; expected an unprivileged user")
        }
        return user
    }

    /// "nobody (uid 65534, gid 65534)".
    public var described: String { "\(name) (uid \(uid), gid \(gid))" }
}
