/*
 * credential_process (aws_process.h).
 */
#include "aws/aws_process.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aws/aws_shlex.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"
#include "core/clock.h"

#define OUT_CAP (1u << 20) /* bytes of output read */

extern char **environ;

static int timeout_s(void)
{
    const char *v = getenv("COALMINE_CREDENTIAL_PROCESS_TIMEOUT");
    char *end;
    long n;

    if (v == NULL || v[0] == '\0') {
        return CM_AWS_PROCESS_TIMEOUT_S;
    }
    n = strtol(v, &end, 10);
    return *end == '\0' && n > 0 && n <= 86400 ? (int)n : CM_AWS_PROCESS_TIMEOUT_S;
}

/* Reads fd into out until EOF or the deadline. Returns 0, or CM_ETRUNC on the deadline. */
static int drain(int fd, struct cm_buf *out, int64_t deadline, bool *too_big)
{
    char chunk[4096];

    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        int64_t left = deadline - cm_clock_mono_ms();
        ssize_t n;

        if (left <= 0) {
            return CM_ETRUNC;
        }
        if (poll(&p, 1, (int)(left > 1000 ? 1000 : left)) < 0 && errno != EINTR) {
            return 0;
        }
        if (p.revents == 0) {
            continue;
        }
        n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return 0;
        }
        if (cm_buf_append(out, chunk, (size_t)n) != 0) {
            *too_big = true; /* read on to EOF so the program is not stopped by a full pipe */
        }
    }
}

int cm_aws_process_credentials(const char *cmd, const char *profile, struct cm_aws_creds *out,
                               char *err, size_t errlen)
{
    size_t len = strlen(cmd) + 1, argc = 0;
    char *buf = cm_malloc(len), *argv[CM_AWS_SHLEX_MAX_ARGS + 1], why[300];
    posix_spawn_file_actions_t fa;
    bool fa_ok = false, too_big = false;
    int fds[2] = {-1, -1}, status = 0, rc, limit = timeout_s();
    pid_t pid = -1;
    struct cm_buf o;

    memset(out, 0, sizeof(*out));
    cm_buf_init(&o, OUT_CAP);
    if (buf == NULL) {
        snprintf(err, errlen, "out of memory");
        rc = CM_ENOMEM;
        goto out;
    }
    if ((rc = cm_aws_shlex_split(cmd, buf, len, argv, &argc, why, sizeof(why))) != 0) {
        snprintf(err, errlen, "profile %.100s: credential_process: %s", profile, why);
        rc = CM_EINVAL;
        goto out;
    }
    if (pipe(fds) != 0 || fcntl(fds[0], F_SETFD, FD_CLOEXEC) != 0 ||
        fcntl(fds[1], F_SETFD, FD_CLOEXEC) != 0 || posix_spawn_file_actions_init(&fa) != 0) {
        snprintf(err, errlen, "profile %.100s: credential_process: a pipe: %s", profile,
                 strerror(errno));
        rc = CM_EIO;
        goto out;
    }
    fa_ok = true;
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    close(fds[1]);
    fds[1] = -1;
    if (rc != 0) {
        snprintf(err, errlen, "profile %.100s: credential_process: cannot run %.200s: %s", profile,
                 argv[0], strerror(rc));
        pid = -1;
        rc = CM_EIO;
        goto out;
    }
    if (drain(fds[0], &o, cm_clock_mono_ms() + (int64_t)limit * 1000, &too_big) != 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        pid = -1;
        snprintf(err, errlen,
                 "profile %.100s: credential_process: %.200s did not finish within %d s "
                 "(COALMINE_CREDENTIAL_PROCESS_TIMEOUT); stopped",
                 profile, argv[0], limit);
        rc = CM_EIO;
        goto out;
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    pid = -1;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        if (WIFEXITED(status)) {
            snprintf(err, errlen, "profile %.100s: credential_process: %.200s exited with %d",
                     profile, argv[0], WEXITSTATUS(status));
        } else {
            snprintf(err, errlen,
                     "profile %.100s: credential_process: %.200s was killed by "
                     "signal %d",
                     profile, argv[0], WIFSIGNALED(status) ? WTERMSIG(status) : 0);
        }
        rc = CM_EIO;
        goto out;
    }
    if (too_big) {
        snprintf(err, errlen, "profile %.100s: credential_process: %.200s printed over %u bytes",
                 profile, argv[0], OUT_CAP);
        rc = CM_EIO;
        goto out;
    }
    rc = cm_aws_cred_json_parse(o.p ? o.p : "", o.len, true, out, why, sizeof(why));
    if (rc != 0) {
        snprintf(err, errlen, "profile %.100s: credential_process: %.200s: %s", profile, argv[0],
                 why);
        rc = CM_EIO;
    }
out:
    if (pid > 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    if (fa_ok) {
        posix_spawn_file_actions_destroy(&fa);
    }
    if (fds[0] >= 0) {
        close(fds[0]);
    }
    if (fds[1] >= 0) {
        close(fds[1]);
    }
    if (o.p != NULL) {
        memset(o.p, 0, o.len);
    }
    cm_buf_finish(&o);
    cm_free(buf);
    return rc;
}
