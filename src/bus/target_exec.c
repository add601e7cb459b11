/*
 * The exec target, the "response function": runs a program (never a shell)
 * with the event on its stdin, and success is exit status 0.
 *
 *   {"argv": ["/usr/local/bin/isolate", "--dry-run"], "timeout_seconds": 30,
 *    "env": {"REGION": "eu-west-1"}}
 *
 * One delivery: argv, envp and the program's path are made before fork();
 * between fork() and execve() the child only makes async-signal-safe calls
 * (the caller may have other threads): it gets its own process group,
 * SIGKILL should the daemon die before it ends, default signal dispositions and an empty signal
 * mask, stdin from a pipe, stdout on /dev/null, stderr into a pipe, and no other descriptor. A
 * close-on-exec pipe tells the parent whether execve() failed and why. The
 * parent writes the event through a non-blocking pipe with SIGPIPE blocked
 * in its own thread (a program that does not read stdin gives EPIPE, and the
 * SIGPIPE it raised is taken back with sigtimedwait), keeps the last 4 KiB
 * of stderr, and waits for the exit. On timeout the whole process group gets
 * SIGTERM, then SIGKILL after a 2 s grace; the child is always reaped.
 */
#define _GNU_SOURCE /* pipe2(), environ */
#include "bus/target_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "core/clock.h"

#define TIMEOUT_DEFAULT 30
#define TIMEOUT_MAX     3600
#define ARGV_MAX        256
#define ARG_MAX_BYTES   65536
#define GRACE_MS        2000  /* between SIGTERM and SIGKILL */
#define TAIL_MAX        4096  /* bytes of stderr kept (the last ones) */
#define LINE_MAX_SHOWN  300   /* bytes of stderr's last line put in a message */
#define FD_LOOP_MAX     65536 /* highest fd closed one by one without close_range */
#define DEFAULT_PATH    "/usr/local/bin:/usr/bin:/bin"

struct exec_spec {
    const char **argv; /* argc strings and a NULL */
    size_t argc;
    int64_t timeout;
    struct cm_tspec_pair *env;
    size_t nenv;
};

static const char *const members[] = {"argv", "timeout_seconds", "env", NULL};

/* The variables coalmine sets for each delivery (a spec may not set them). */
static const char *const ctx_vars[] = {
    "COALMINE_RULE",         "COALMINE_TARGET_ID", "COALMINE_FINDING_ID",
    "COALMINE_FINDING_TYPE", "COALMINE_SEVERITY",  "COALMINE_ATTEMPT",
};
#define N_CTX_VARS (sizeof(ctx_vars) / sizeof(ctx_vars[0]))

/* ---- the spec ---- */

static int read_argv(struct cm_tspec *s, struct exec_spec *e)
{
    uint32_t arr = cm_tspec_member(s, "argv"), v;
    char what[32];
    int rc;

    if (arr == CM_JSON_NONE) {
        return cm_tspec_fail(s, "argv: missing (the program and its arguments, "
                                "e.g. [\"/usr/local/bin/isolate\", \"--dry-run\"])");
    }
    if (cm_json_type(&s->doc, arr) != CM_JSON_ARRAY) {
        return cm_tspec_fail(s, "argv: must be an array of strings");
    }
    e->argc = cm_json_at(&s->doc, arr)->len;
    if (e->argc == 0) {
        return cm_tspec_fail(s, "argv: must not be empty (argv[0] is the program)");
    }
    if (e->argc > ARGV_MAX) {
        return cm_tspec_fail(s, "argv: more than %d elements", ARGV_MAX);
    }
    if ((e->argv = cm_tspec_alloc(s, (e->argc + 1) * sizeof(*e->argv))) == NULL) {
        return CM_ENOMEM;
    }
    v = cm_json_first(&s->doc, arr);
    for (size_t i = 0; i < e->argc; i++, v = cm_json_next(&s->doc, arr, v)) {
        snprintf(what, sizeof(what), "argv[%zu]", i);
        if ((rc = cm_tspec_str(s, v, what, ARG_MAX_BYTES, &e->argv[i])) != 0) {
            return rc;
        }
    }
    e->argv[e->argc] = NULL;
    if (e->argv[0][0] == '\0') {
        return cm_tspec_fail(s, "argv[0]: must not be empty (it is the program)");
    }
    for (const char *p = e->argv[0]; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            return cm_tspec_fail(s, "argv[0]: must not contain control characters");
        }
    }
    if (e->argv[0][0] != '/' && strchr(e->argv[0], '/') != NULL) {
        return cm_tspec_fail(s,
                             "argv[0]: \"%s\" is a relative path; give an absolute path, or a "
                             "bare name to look up in PATH",
                             e->argv[0]);
    }
    return 0;
}

static bool env_name_ok(const char *n)
{
    if (!((*n >= 'A' && *n <= 'Z') || (*n >= 'a' && *n <= 'z') || *n == '_')) {
        return false;
    }
    for (; *n; n++) {
        if (!((*n >= 'A' && *n <= 'Z') || (*n >= 'a' && *n <= 'z') || (*n >= '0' && *n <= '9') ||
              *n == '_')) {
            return false;
        }
    }
    return true;
}

static int exec_read(struct cm_tspec *s, struct exec_spec *e)
{
    int rc;

    memset(e, 0, sizeof(*e));
    if ((rc = read_argv(s, e)) != 0 ||
        (rc = cm_tspec_int(s, "timeout_seconds", 1, TIMEOUT_MAX, TIMEOUT_DEFAULT, &e->timeout)) !=
            0 ||
        (rc = cm_tspec_map(s, "env", false, ARG_MAX_BYTES, &e->env, &e->nenv)) != 0) {
        return rc;
    }
    for (size_t i = 0; i < e->nenv; i++) {
        if (!env_name_ok(e->env[i].name)) {
            return cm_tspec_fail(s,
                                 "env.%s: a name is letters, digits and _, not starting with "
                                 "a digit",
                                 e->env[i].name);
        }
        for (size_t j = 0; j < N_CTX_VARS; j++) {
            if (strcmp(e->env[i].name, ctx_vars[j]) == 0) {
                return cm_tspec_fail(s, "env.%s: set by coalmine for each delivery",
                                     e->env[i].name);
            }
        }
    }
    return 0;
}

static int exec_check(const char *spec, size_t len, struct cm_buf *canon, char *err, size_t errlen)
{
    struct cm_tspec s;
    struct exec_spec e;
    struct cm_jw jw;
    int rc = cm_tspec_open(&s, "", spec, len, members, err, errlen);

    if (rc == 0) {
        rc = exec_read(&s, &e);
    }
    if (rc == 0 && canon != NULL) {
        size_t mark = canon->len;

        cm_jw_init(&jw, canon);
        cm_jw_obj_begin(&jw);
        cm_jw_key(&jw, "argv");
        cm_jw_arr_begin(&jw);
        for (size_t i = 0; i < e.argc; i++) {
            cm_jw_str(&jw, e.argv[i]);
        }
        cm_jw_arr_end(&jw);
        cm_jw_key(&jw, "timeout_seconds");
        cm_jw_i64(&jw, e.timeout);
        cm_tspec_jw_map(&jw, "env", e.env, e.nenv);
        cm_jw_obj_end(&jw);
        rc = cm_tspec_canon_end(&s, &jw, canon, mark);
    }
    cm_tspec_close(&s);
    return rc;
}

/* ---- before fork: the program, its environment ---- */

/* The value of NAME in the spec's env, or NULL. */
static const char *spec_env(const struct exec_spec *e, const char *name)
{
    for (size_t i = 0; i < e->nenv; i++) {
        if (strcmp(e->env[i].name, name) == 0) {
            return e->env[i].value;
        }
    }
    return NULL;
}

/*
 * The file to execve: argv[0] itself when it holds a slash, else the first
 * executable regular file of that name in PATH (the spec's PATH when it
 * sets one, else ours; empty and relative entries are skipped).
 */
static int resolve(struct cm_tspec *s, const struct exec_spec *e, const char *shown,
                   const char **out)
{
    const char *name = e->argv[0], *path = spec_env(e, "PATH");
    struct stat st;

    *out = name;
    if (strchr(name, '/') != NULL) {
        return 0;
    }
    if (path == NULL && (path = getenv("PATH")) == NULL) {
        path = DEFAULT_PATH;
    }
    for (const char *p = path; *p;) {
        size_t n = strcspn(p, ":");

        if (n > 0 && p[0] == '/') {
            char *cand = cm_tspec_strf(s, "%.*s/%s", (int)n, p, name);

            if (cand == NULL) {
                return CM_ENOMEM;
            }
            if (access(cand, X_OK) == 0 && stat(cand, &st) == 0 && S_ISREG(st.st_mode)) {
                *out = cand;
                return 0;
            }
        }
        p += n + (p[n] == ':');
    }
    snprintf(s->err, s->errlen, "exec %s: not found in PATH", shown);
    return CM_EIO;
}

/* Whether the environment entry kv ("NAME=value") is named name. */
static bool env_is(const char *kv, const char *name)
{
    size_t n = strlen(name);

    return strncmp(kv, name, n) == 0 && kv[n] == '=';
}

/* Ours minus what the delivery and the spec set, then the delivery's, then the spec's. */
static char **make_envp(struct cm_tspec *s, const struct exec_spec *e,
                        const struct cm_target_ctx *ctx)
{
    const char *vals[N_CTX_VARS];
    char sev[32], attempt[16], **envp;
    size_t n = 0, k = 0;

    for (char **p = environ; p != NULL && *p != NULL; p++) {
        n++;
    }
    if ((envp = cm_tspec_alloc(s, (n + N_CTX_VARS + e->nenv + 1) * sizeof(*envp))) == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const char *kv = environ[i];
        bool drop = strchr(kv, '=') == NULL;

        for (size_t j = 0; !drop && j < N_CTX_VARS; j++) {
            drop = env_is(kv, ctx_vars[j]);
        }
        for (size_t j = 0; !drop && j < e->nenv; j++) {
            drop = env_is(kv, e->env[j].name);
        }
        if (!drop) {
            envp[k++] = environ[i];
        }
    }
    sev[0] = '\0';
    if (ctx->severity >= 0) {
        snprintf(sev, sizeof(sev), "%g", ctx->severity);
    }
    snprintf(attempt, sizeof(attempt), "%u", ctx->attempt);
    vals[0] = ctx->rule;
    vals[1] = ctx->target_id;
    vals[2] = ctx->finding_id;
    vals[3] = ctx->finding_type;
    vals[4] = sev;
    vals[5] = attempt;
    for (size_t j = 0; j < N_CTX_VARS; j++) {
        if ((envp[k++] = cm_tspec_strf(s, "%s=%s", ctx_vars[j], vals[j] ? vals[j] : "")) == NULL) {
            return NULL;
        }
    }
    for (size_t j = 0; j < e->nenv; j++) {
        if ((envp[k++] = cm_tspec_strf(s, "%s=%s", e->env[j].name, e->env[j].value)) == NULL) {
            return NULL;
        }
    }
    envp[k] = NULL;
    return envp;
}

/* ---- the child, between fork and execve (async-signal-safe calls only) ---- */

/* Tells the parent why the child could not start, then exits. */
static void child_fail(int fd, int e) __attribute__((noreturn));
static void child_fail(int fd, int e)
{
    ssize_t w = write(fd, &e, sizeof(e));

    (void)w;
    _exit(127);
}

/* Closes every descriptor from lo up. */
static void close_from(int lo, int loop_max)
{
#ifdef SYS_close_range
    if (syscall(SYS_close_range, (unsigned)lo, ~0u, 0u) == 0) {
        return;
    }
#endif
    for (int fd = lo; fd < loop_max; fd++) {
        (void)close(fd);
    }
}

/* What the child needs, all made before fork. */
struct child_fds {
    int std[3]; /* become 0, 1, 2 */
    int status; /* close-on-exec; gets errno when execve fails */
    int loop_max;
    struct sigaction dfl; /* SIG_DFL, for every signal */
    sigset_t none;        /* the child's signal mask */
    pid_t parent;         /* the daemon */
};

static void child(const char *path, char *const argv[], char *const envp[],
                  const struct child_fds *f) __attribute__((noreturn));
static void child(const char *path, char *const argv[], char *const envp[],
                  const struct child_fds *f)
{
    int hi[3], st;

    (void)setpgid(0, 0);
#ifdef PR_SET_PDEATHSIG
    /* The daemon killed (kill -9, a crash): the program goes too, not left running beside the
     * retry the restarted daemon makes. Checked after, in case the daemon died before it. */
    (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != f->parent) {
        _exit(127);
    }
#endif
    for (int sig = 1; sig < NSIG; sig++) {
        (void)sigaction(sig, &f->dfl, NULL); /* fails harmlessly for KILL, STOP, libc's own */
    }
    /* Everything above 2 first, so that no dup2 below overwrites a source. */
    if ((st = fcntl(f->status, F_DUPFD_CLOEXEC, 3)) < 0) {
        child_fail(f->status, errno);
    }
    for (int i = 0; i < 3; i++) {
        if ((hi[i] = fcntl(f->std[i], F_DUPFD, 3)) < 0) {
            child_fail(st, errno);
        }
    }
    for (int i = 0; i < 3; i++) {
        if (dup2(hi[i], i) < 0) {
            child_fail(st, errno);
        }
    }
    if (st != 3) {
        if (dup2(st, 3) < 0 || fcntl(3, F_SETFD, FD_CLOEXEC) < 0) {
            child_fail(st, errno);
        }
        st = 3;
    }
    close_from(4, f->loop_max);
    (void)sigprocmask(SIG_SETMASK, &f->none, NULL);
    execve(path, argv, envp);
    child_fail(st, errno);
}

/* ---- the parent ---- */

struct run {
    const char *shown; /* argv[0], for messages */
    pid_t pid;
    int in_w;  /* the child's stdin (non-blocking), -1 once closed */
    int err_r; /* the child's stderr (non-blocking), -1 once closed */
    int pidfd; /* readable when the child exits; -1 if the kernel has none */
    bool timed_out, killed, epipe;
    int werr; /* errno of a failed write to stdin, other than EPIPE */
    char tail[TAIL_MAX];
    size_t tail_len;
};

static void close_fd(int *fd)
{
    if (*fd >= 0) {
        (void)close(*fd);
        *fd = -1;
    }
}

/* Signals the child's process group (the child alone if it has none yet). */
static void signal_child(const struct run *r, int sig)
{
    if (kill(-r->pid, sig) != 0) {
        (void)kill(r->pid, sig);
    }
}

/*
 * Starts the child. Returns 0 with r->pid, r->in_w and r->err_r set, or
 * CM_EIO with err set (nothing left running). The caller blocks SIGPIPE.
 */
static int spawn(struct run *r, const char *path, char *const argv[], char *const envp[], char *err,
                 size_t errlen)
{
    int in[2] = {-1, -1}, er[2] = {-1, -1}, st[2] = {-1, -1}, devnull = -1, e = 0;
    struct child_fds f;
    sigset_t all, old;
    long max = sysconf(_SC_OPEN_MAX);
    ssize_t n;

    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(er, O_CLOEXEC) != 0 || pipe2(st, O_CLOEXEC) != 0 ||
        (devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0 ||
        fcntl(in[1], F_SETFL, O_NONBLOCK) != 0 || fcntl(er[0], F_SETFL, O_NONBLOCK) != 0) {
        snprintf(err, errlen, "exec %s: cannot make its pipes: %s", r->shown, strerror(errno));
        goto fail;
    }
    f.std[0] = in[0];
    f.std[1] = devnull;
    f.std[2] = er[1];
    f.status = st[1];
    f.loop_max = max < 0 ? 1024 : max > FD_LOOP_MAX ? FD_LOOP_MAX : (int)max;
    memset(&f.dfl, 0, sizeof(f.dfl));
    f.dfl.sa_handler = SIG_DFL;
    sigemptyset(&f.dfl.sa_mask);
    sigemptyset(&f.none);
    f.parent = getpid();
    /* No handler of ours may run in the child before it resets them. */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    r->pid = fork();
    if (r->pid == 0) {
        child(path, argv, envp, &f);
    }
    e = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (r->pid < 0) {
        snprintf(err, errlen, "exec %s: cannot fork: %s", r->shown, strerror(e));
        goto fail;
    }
    (void)setpgid(r->pid, r->pid); /* the child does it too; whoever is first wins */
    close_fd(&in[0]);
    close_fd(&er[1]);
    close_fd(&st[1]);
    close_fd(&devnull);
    /* EOF: execve succeeded (the pipe was close-on-exec); an int: its errno. */
    while ((n = read(st[0], &e, sizeof(e))) < 0 && errno == EINTR) {
    }
    close_fd(&st[0]);
    if (n == (ssize_t)sizeof(e)) {
        while (waitpid(r->pid, NULL, 0) < 0 && errno == EINTR) {
        }
        snprintf(err, errlen, "exec %s: cannot run: %s", r->shown, strerror(e));
        goto fail;
    }
    r->in_w = in[1];
    r->err_r = er[0];
    return 0;
fail:
    close_fd(&in[0]);
    close_fd(&in[1]);
    close_fd(&er[0]);
    close_fd(&er[1]);
    close_fd(&st[0]);
    close_fd(&st[1]);
    close_fd(&devnull);
    return CM_EIO;
}

static void tail_add(struct run *r, const char *p, size_t n)
{
    if (n >= TAIL_MAX) {
        memcpy(r->tail, p + n - TAIL_MAX, TAIL_MAX);
        r->tail_len = TAIL_MAX;
        return;
    }
    if (r->tail_len + n > TAIL_MAX) {
        size_t drop = r->tail_len + n - TAIL_MAX;

        memmove(r->tail, r->tail + drop, r->tail_len - drop);
        r->tail_len -= drop;
    }
    memcpy(r->tail + r->tail_len, p, n);
    r->tail_len += n;
}

/* Reads what stderr has now; closes it at EOF. */
static void read_stderr(struct run *r)
{
    char buf[4096];

    while (r->err_r >= 0) {
        ssize_t n = read(r->err_r, buf, sizeof(buf));

        if (n > 0) {
            tail_add(r, buf, (size_t)n);
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
                close_fd(&r->err_r);
            }
            return;
        }
    }
}

/* Writes what the pipe takes of the event; closes stdin when done or refused. */
static void write_event(struct run *r, const char *event, size_t evlen, size_t *off)
{
    while (r->in_w >= 0 && *off < evlen) {
        size_t chunk = evlen - *off > 65536 ? 65536 : evlen - *off;
        ssize_t w = write(r->in_w, event + *off, chunk);

        if (w > 0) {
            *off += (size_t)w;
        } else if (w < 0 && errno == EINTR) {
            continue;
        } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return;
        } else {
            if (w < 0 && errno == EPIPE) {
                r->epipe = true; /* it stopped reading: its exit status decides */
            } else {
                r->werr = w < 0 ? errno : EIO;
            }
            close_fd(&r->in_w);
        }
    }
    close_fd(&r->in_w);
}

/* Whether the child has exited (left unreaped, so its pid and group stay ours). */
static bool exited(const struct run *r)
{
    siginfo_t si;

    memset(&si, 0, sizeof(si));
    if (waitid(P_PID, (id_t)r->pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0) {
        return errno != EINTR; /* ECHILD: reaped behind our back (SIGCHLD ignored) */
    }
    return si.si_pid == r->pid;
}

/* Feeds stdin, drains stderr and enforces the timeout until the child exits. */
static void pump(struct run *r, const char *event, size_t evlen, int64_t timeout)
{
    int64_t deadline = cm_clock_mono_ms() + timeout * 1000, kill_at = 0;
    size_t off = 0;

    if (evlen == 0) {
        close_fd(&r->in_w);
    }
    for (;;) {
        struct pollfd p[3];
        int64_t t, wait;
        nfds_t n = 0;

        if (exited(r)) {
            break;
        }
        t = cm_clock_mono_ms();
        if (!r->timed_out && t >= deadline) {
            r->timed_out = true;
            signal_child(r, SIGTERM);
            close_fd(&r->in_w);
            kill_at = t + GRACE_MS;
        }
        if (r->timed_out && !r->killed && t >= kill_at) {
            signal_child(r, SIGKILL);
            r->killed = true;
        }
        wait = r->killed ? 100 : r->timed_out ? kill_at - t : deadline - t;
        if (r->pidfd < 0 && wait > 10) {
            wait = 10; /* no pidfd: look at the child now and then */
        }
        if (r->in_w >= 0) {
            p[n].fd = r->in_w;
            p[n++].events = POLLOUT;
        }
        if (r->err_r >= 0) {
            p[n].fd = r->err_r;
            p[n++].events = POLLIN;
        }
        if (r->pidfd >= 0) {
            p[n].fd = r->pidfd;
            p[n++].events = POLLIN;
        }
        /* An error (EINTR) only means looking again sooner. */
        (void)poll(p, n, (int)(wait > 1000 ? 1000 : wait < 0 ? 0 : wait));
        write_event(r, event, evlen, &off);
        read_stderr(r);
    }
    read_stderr(r); /* what it wrote last; a grandchild may hold the pipe, so no EOF wait */
    if (r->timed_out) {
        signal_child(r, SIGKILL); /* stragglers of the group; the leader is a zombie */
    }
}

/* stderr's last non-empty line, printable, in out. */
static void last_line(const struct run *r, char *out, size_t outlen)
{
    size_t e = r->tail_len, b;

    while (e > 0 && (r->tail[e - 1] == '\n' || r->tail[e - 1] == '\r' || r->tail[e - 1] == ' ' ||
                     r->tail[e - 1] == '\t')) {
        e--;
    }
    for (b = e; b > 0 && r->tail[b - 1] != '\n';) {
        b--;
    }
    if (e - b > LINE_MAX_SHOWN) {
        e = b + LINE_MAX_SHOWN;
    }
    cm_target_printable(out, outlen, r->tail + b, e - b);
}

/* Reaps the child and turns how it ended into the result. */
static int verdict(struct run *r, int64_t timeout, char *err, size_t errlen)
{
    char line[LINE_MAX_SHOWN + 1];
    const char *sep;
    int status = 0;
    pid_t w;

    while ((w = waitpid(r->pid, &status, 0)) < 0 && errno == EINTR) {
    }
    last_line(r, line, sizeof(line));
    sep = line[0] ? ": " : "";
    if (r->timed_out) {
        snprintf(err, errlen, "exec %s: killed after %lld s (timeout)", r->shown,
                 (long long)timeout);
    } else if (w < 0) {
        snprintf(err, errlen, "exec %s: its exit status was lost (is SIGCHLD ignored?)", r->shown);
    } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
        snprintf(err, errlen, "exec %s: exit %d%s%s", r->shown, WEXITSTATUS(status), sep, line);
    } else if (WIFSIGNALED(status)) {
        snprintf(err, errlen, "exec %s: killed by signal %d%s%s", r->shown, WTERMSIG(status), sep,
                 line);
    } else if (r->werr != 0) {
        snprintf(err, errlen, "exec %s: writing the event to its stdin: %s", r->shown,
                 strerror(r->werr));
    } else {
        return 0;
    }
    return CM_EIO;
}

/* Runs the program once; SIGPIPE stays blocked in this thread meanwhile. */
static int run(struct run *r, const struct exec_spec *e, const char *path, char **envp,
               const char *event, size_t evlen, char *err, size_t errlen)
{
    sigset_t pipe_set, old, pending;
    bool was_pending;
    int rc;

    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigemptyset(&pending);
    sigpending(&pending);
    was_pending = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    /* execve takes char *const[] but does not write to the strings. */
    if ((rc = spawn(r, path, (char *const *)(uintptr_t)e->argv, envp, err, errlen)) == 0) {
#ifdef SYS_pidfd_open
        r->pidfd = (int)syscall(SYS_pidfd_open, r->pid, 0u);
#endif
        pump(r, event, evlen, e->timeout);
        rc = verdict(r, e->timeout, err, errlen);
    }
    if (r->epipe && !was_pending) {
        struct timespec zero = {0, 0};

        while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR) {
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    close_fd(&r->in_w);
    close_fd(&r->err_r);
    close_fd(&r->pidfd);
    return rc;
}

static int exec_deliver(const char *spec, size_t len, const char *event, size_t evlen,
                        const struct cm_target_ctx *ctx, char *err, size_t errlen)
{
    char shown[256];
    struct cm_tspec s;
    struct exec_spec e;
    struct run *r = NULL;
    const char *path;
    char **envp;
    int rc;

    if ((rc = cm_tspec_open(&s, "exec: bad spec: ", spec, len, members, err, errlen)) != 0 ||
        (rc = exec_read(&s, &e)) != 0) {
        goto done;
    }
    cm_target_printable(shown, sizeof(shown), e.argv[0], strlen(e.argv[0]));
    if ((rc = resolve(&s, &e, shown, &path)) != 0) {
        goto done;
    }
    if ((envp = make_envp(&s, &e, cm_target_ctx_or_empty(ctx))) == NULL ||
        (r = cm_tspec_alloc(&s, sizeof(*r))) == NULL) {
        rc = CM_ENOMEM;
        goto done;
    }
    memset(r, 0, sizeof(*r));
    r->shown = shown;
    r->in_w = r->err_r = r->pidfd = -1;
    rc = run(r, &e, path, envp, event, evlen, err, errlen);
done:
    cm_tspec_close(&s);
    return rc;
}

const struct cm_target_kind cm_target_exec = {
    .name = "exec",
    .summary = "run a program (no shell) with the event on stdin; exit status 0 is success",
    .check = exec_check,
    .deliver = exec_deliver,
};
