// A student's program, started by a supervisor of its own that outlives it:
//
//   gradfuzz ──fork──▶ supervisor ──fork──▶ program (setgroups, setgid, setuid, chdir, exec)
//
// The supervisor is the subreaper of everything the program starts, so a descendant that calls
// setsid, or double-forks, is still its descendant. When gradfuzz closes the lifeline (or dies),
// the supervisor kills every descendant it has, found through /proc, reaps them all, and exits:
// its exit means that nothing the program started is left. It reports the program's exit (or why
// it could not start) on a pipe.
//
// Between fork and exec only system calls are made (gradfuzz is multithreaded: another thread
// may have held malloc's lock at the fork): no allocation, no stdio.

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gradfuzz_system.h"

// The supervisor's descriptors, at fixed numbers; gradfuzz's others are closed in it.
enum { PROGRAM_IN = 3, PROGRAM_OUT, PROGRAM_ERR, REPORTS, LIFELINE, FIRST_UNUSED };

static void report(int32_t kind, int32_t step, int32_t error, int32_t value) {
    struct gradfuzz_report r = {kind, step, error, value};
    while (write(REPORTS, &r, sizeof r) < 0 && errno == EINTR) {}
}

// ---- Descendants, through /proc ----

/// "/proc/PID/stat" into `path` (at least 32 bytes).
static void stat_path(char *path, pid_t pid) {
    char digits[16];
    int n = 0;
    do { digits[n++] = (char)('0' + pid % 10); pid /= 10; } while (pid > 0);
    const char *head = "/proc/", *tail = "/stat";
    int k = 0;
    while (*head) path[k++] = *head++;
    while (n > 0) path[k++] = digits[--n];
    while (*tail) path[k++] = *tail++;
    path[k] = 0;
}

/// The parent of `pid` (the field after "pid (comm) state" in /proc/PID/stat), or -1.
static pid_t parent_of(pid_t pid) {
    char path[32], text[512];
    stat_path(path, pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0) return -1;
    text[n] = 0;
    char *end = NULL;
    for (char *c = text; *c; c++) if (*c == ')') end = c;  // comm may itself hold ")"
    if (!end || !end[1] || !end[2] || !end[3]) return -1;
    pid_t parent = 0;
    for (char *c = end + 4; *c >= '0' && *c <= '9'; c++) parent = parent * 10 + (*c - '0');
    return parent;
}

static int is_descendant(pid_t pid, pid_t ancestor) {
    for (int depth = 0; depth < 4096 && pid > 1; depth++) {
        pid = parent_of(pid);
        if (pid == ancestor) return 1;
    }
    return 0;
}

/// SIGKILL to every descendant of the calling process.
static void kill_descendants(void) {
    pid_t self = getpid();
    int proc = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (proc < 0) return;
    char entries[8192];
    long n;
    while ((n = syscall(SYS_getdents64, proc, entries, sizeof entries)) > 0) {
        for (long offset = 0; offset < n;) {
            struct dirent64 *entry = (struct dirent64 *)(entries + offset);
            offset += entry->d_reclen;
            pid_t pid = 0;
            const char *c = entry->d_name;
            for (; *c >= '0' && *c <= '9'; c++) pid = pid * 10 + (*c - '0');
            if (*c == 0 && pid > 0 && pid != self && is_descendant(pid, self)) kill(pid, SIGKILL);
        }
    }
    close(proc);
}

/// Reaps every child that has ended, reporting the program's exit when `program` is one: 1 while
/// a child is left, 0 when none is.
static int reap(pid_t program) {
    for (;;) {
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid < 0) return errno != ECHILD;
        if (pid == 0) return 1;
        if (pid == program) report(GRADFUZZ_EXITED, 0, 0, status);
    }
}

/// Kills and reaps every descendant until none is left (a subreaper's descendants all lead back
/// to one of its children), or 10 s have passed (a process stuck in the kernel).
static void end_lineage(pid_t program) {
    struct timespec pause = {0, 1000000};
    for (int round = 0; round < 10000 && reap(program); round++) {
        kill_descendants();
        nanosleep(&pause, NULL);
    }
}

int gradfuzz_become_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1) == 0 ? 0 : errno; }

void gradfuzz_end_descendants(void) { end_lineage(0); }

// ---- The program: from the supervisor's fork to exec ----

__attribute__((noreturn)) static void not_started(int32_t step, int32_t value) {
    report(GRADFUZZ_NOT_STARTED, step, errno, value);
    _exit(127);
}

__attribute__((noreturn)) static void start_program(const struct gradfuzz_launch *launch) {
    // gradfuzz ignores SIGINT, SIGTERM and SIGPIPE, and blocks SIGCHLD here; the program gets the defaults.
    for (int s = 1; s < NSIG; s++) signal(s, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    dup2(PROGRAM_IN, 0);
    dup2(PROGRAM_OUT, 1);
    dup2(PROGRAM_ERR, 2);
    close(PROGRAM_IN);
    close(PROGRAM_OUT);
    close(PROGRAM_ERR);
    close(LIFELINE);  // REPORTS is close-on-exec: it closes when exec succeeds
    if (launch->change_user) {
        // Raw system calls: this thread alone changes its ids (the child has no other thread).
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        if (syscall(SYS_setgroups, 0, NULL) != 0) not_started(GRADFUZZ_STEP_SETGROUPS, 0);
        if (syscall(SYS_setgid, launch->gid) != 0) not_started(GRADFUZZ_STEP_SETGID, 0);
        if (syscall(SYS_setuid, launch->uid) != 0) not_started(GRADFUZZ_STEP_SETUID, 0);
    }
    if (launch->directory && chdir(launch->directory) != 0) not_started(GRADFUZZ_STEP_CHDIR, 0);
    for (int k = 0; launch->readable && launch->readable[k]; k++) {
        if (access(launch->readable[k], R_OK) != 0) not_started(GRADFUZZ_STEP_READ, k);
    }
    execve(launch->path, launch->argv, launch->envp);
    not_started(GRADFUZZ_STEP_EXEC, 0);
}

// ---- The supervisor ----

/// `fds`: the program's stdin, stdout and stderr ends, the reports' write end, the lifeline's read end.
__attribute__((noreturn)) static void supervisor(const struct gradfuzz_launch *launch, const int fds[5]) {
    // Its own process group: a terminal's Ctrl-C is gradfuzz's to handle.
    setpgid(0, 0);
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    // Its five descriptors at fixed numbers, and every other one of gradfuzz's closed: another
    // program's pipe held open here would never see its end of file.
    int moved[5];
    for (int k = 0; k < 5; k++) moved[k] = fcntl(fds[k], F_DUPFD_CLOEXEC, 64);
    for (int k = 0; k < 5; k++) {
        if (moved[k] < 0 || dup3(moved[k], PROGRAM_IN + k, O_CLOEXEC) < 0) _exit(126);
    }
    syscall(SYS_close_range, FIRST_UNUSED, ~0U, 0);
    sigset_t child;
    sigemptyset(&child);
    sigaddset(&child, SIGCHLD);
    sigprocmask(SIG_BLOCK, &child, NULL);
    int signals = signalfd(-1, &child, SFD_CLOEXEC);
    // _Fork: no atfork handler of gradfuzz's runs here, where a lock another thread held at the
    // first fork would never be released.
    pid_t program = _Fork();
    if (program == 0) start_program(launch);
    if (program < 0) report(GRADFUZZ_NOT_STARTED, GRADFUZZ_STEP_EXEC, errno, 0);
    close(PROGRAM_IN);
    close(PROGRAM_OUT);
    close(PROGRAM_ERR);
    struct pollfd watch[2] = {{LIFELINE, POLLIN, 0}, {signals, POLLIN, 0}};
    for (;;) {
        // Wakes at each child's exit, and each second to reap orphans whose SIGCHLD merged with another.
        if (poll(watch, 2, 1000) < 0 && errno != EINTR) break;
        if (watch[1].revents) {
            struct signalfd_siginfo info;
            while (read(signals, &info, sizeof info) < 0 && errno == EINTR) {}
        }
        reap(program);
        if (watch[0].revents) break;  // the lifeline closed: gradfuzz is done with the program, or gone
    }
    end_lineage(program);
    _exit(0);
}

int gradfuzz_supervise(const struct gradfuzz_launch *launch, struct gradfuzz_supervised *out) {
    int input[2], output[2], error[2], reports[2], lifeline[2];
    int *pipes[5] = {input, output, error, reports, lifeline};
    for (int k = 0; k < 5; k++) {
        if (pipe2(pipes[k], O_CLOEXEC) != 0) {
            int failure = errno;
            for (int j = 0; j < k; j++) { close(pipes[j][0]); close(pipes[j][1]); }
            return failure;
        }
    }
    pid_t pid = fork();
    if (pid == 0) {
        int ends[5] = {input[0], output[1], error[1], reports[1], lifeline[0]};
        supervisor(launch, ends);
    }
    int failure = errno;
    close(input[0]);
    close(output[1]);
    close(error[1]);
    close(reports[1]);
    close(lifeline[0]);
    if (pid < 0) {
        close(input[1]);
        close(output[0]);
        close(error[0]);
        close(reports[0]);
        close(lifeline[1]);
        return failure;
    }
    *out = (struct gradfuzz_supervised){pid, input[1], output[0], error[0], reports[0], lifeline[1]};
    return 0;
}
