#ifndef GRADFUZZ_SYSTEM_H
#define GRADFUZZ_SYSTEM_H

#include <stdint.h>
#include <sys/types.h>

/// Makes C's stdout (which Swift's print writes through) line-buffered even into a file or a pipe.
void gradfuzz_line_buffer_stdout(void);

// ---- A student's program, supervised from fork to exec and to the end of its last descendant ----

/// What to start. Everything is prepared by the caller: the child between fork and exec only
/// makes system calls.
struct gradfuzz_launch {
    /// The executable's path (already looked up on PATH), and argv and envp, NULL-terminated.
    const char *path;
    char *const *argv;
    char *const *envp;
    /// The working directory, or NULL to keep gradfuzz's.
    const char *directory;
    /// Whether to run as `uid`/`gid` with no supplementary groups (gradfuzz must be root).
    int change_user;
    uid_t uid;
    gid_t gid;
    /// Files the program must be able to read, checked as its user before exec; NULL-terminated.
    const char *const *readable;
};

/// The ends of a supervised program's pipes that stay in gradfuzz (all close-on-exec).
struct gradfuzz_supervised {
    /// The supervisor: the program's parent, and the subreaper of everything it starts.
    pid_t supervisor;
    /// Write end of the program's stdin; read ends of its stdout and stderr.
    int input;
    int output;
    int error;
    /// Read end of the supervisor's reports (`struct gradfuzz_report`, one per record).
    int reports;
    /// Write end of the supervisor's lifeline: when it closes (or gradfuzz dies), the supervisor
    /// kills the program and every descendant of it, reaps them, and exits.
    int lifeline;
};

/// What the supervisor reports: the program could not be started (at `step`, with `error`), or
/// it exited (`status` as waitpid gives it).
enum gradfuzz_report_kind { GRADFUZZ_NOT_STARTED = 1, GRADFUZZ_EXITED = 2 };
enum gradfuzz_start_step {
    GRADFUZZ_STEP_SETGROUPS = 1,
    GRADFUZZ_STEP_SETGID,
    GRADFUZZ_STEP_SETUID,
    GRADFUZZ_STEP_CHDIR,
    /// `readable[index]` cannot be read by the program's user.
    GRADFUZZ_STEP_READ,
    GRADFUZZ_STEP_EXEC,
};
struct gradfuzz_report {
    int32_t kind;
    int32_t step;
    int32_t error;
    int32_t value;
};

/// Starts a supervisor that starts the program: 0, or an errno when a pipe or the fork failed.
int gradfuzz_supervise(const struct gradfuzz_launch *launch, struct gradfuzz_supervised *out);

/// Makes the calling process the subreaper of its descendants: an orphan among them is re-parented
/// to it, not to init, so that `gradfuzz_end_descendants` still finds it. 0, or an errno.
int gradfuzz_become_subreaper(void);

/// SIGKILL to every descendant of the calling process (found through /proc, whatever session or
/// process group it moved to), and each reaped, until it has no child left.
void gradfuzz_end_descendants(void);

#endif
