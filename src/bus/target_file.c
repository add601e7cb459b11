/*
 * The file target: appends each event as one line (the JSON and "\n") to a
 * file, with one write so that lines from concurrent deliveries do not mix,
 * and fdatasync()s it unless the spec says "fsync": false. A write that
 * fails part-way is cut back off, so the file holds only whole lines.
 *
 *   {"path": "/var/lib/coalmine/events.jsonl", "fsync": true}
 */
#include "bus/target_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "base/err.h"

struct file_spec {
    const char *path;
    bool fsync;
    bool follow_symlinks;
};

static const char *const members[] = {"path", "fsync", "follow_symlinks", NULL};

static int file_read(struct cm_tspec *s, struct file_spec *f)
{
    uint32_t v = cm_tspec_member(s, "path");
    int rc;

    if (v == CM_JSON_NONE) {
        return cm_tspec_fail(s, "path: missing (the file to append events to)");
    }
    if ((rc = cm_tspec_str(s, v, "path", PATH_MAX - 1, &f->path)) != 0) {
        return rc;
    }
    if (f->path[0] == '\0') {
        return cm_tspec_fail(s, "path: must not be empty");
    }
    for (const char *p = f->path; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            return cm_tspec_fail(s, "path: must not contain control characters");
        }
    }
    if ((rc = cm_tspec_bool(s, "fsync", true, &f->fsync)) != 0) {
        return rc;
    }
    return cm_tspec_bool(s, "follow_symlinks", false, &f->follow_symlinks);
}

static int file_check(const char *spec, size_t len, struct cm_buf *canon, char *err, size_t errlen)
{
    struct cm_tspec s;
    struct file_spec f;
    struct cm_jw jw;
    int rc = cm_tspec_open(&s, "", spec, len, members, err, errlen);

    if (rc == 0) {
        rc = file_read(&s, &f);
    }
    if (rc == 0 && canon != NULL) {
        size_t mark = canon->len;

        cm_jw_init(&jw, canon);
        cm_jw_obj_begin(&jw);
        cm_jw_key(&jw, "path");
        cm_jw_str(&jw, f.path);
        cm_jw_key(&jw, "fsync");
        cm_jw_bool(&jw, f.fsync);
        if (f.follow_symlinks) {
            cm_jw_key(&jw, "follow_symlinks");
            cm_jw_bool(&jw, true);
        }
        cm_jw_obj_end(&jw);
        rc = cm_tspec_canon_end(&s, &jw, canon, mark);
    }
    cm_tspec_close(&s);
    return rc;
}

/*
 * Writes the event and a newline with one writev, then whatever a short write
 * left; *done counts the bytes written, also when it fails part-way.
 */
static int append_line(int fd, const char *event, size_t evlen, size_t *done)
{
    struct iovec iov[2];
    int n = 2, i = 0;

    iov[0].iov_base = (void *)(uintptr_t)event; /* writev does not write to it */
    iov[0].iov_len = evlen;
    iov[1].iov_base = (void *)(uintptr_t) "\n";
    iov[1].iov_len = 1;
    *done = 0;
    while (i < n) {
        ssize_t w = writev(fd, iov + i, n - i);

        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            if (w == 0) {
                errno = EIO;
            }
            return -1;
        }
        *done += (size_t)w;
        for (size_t left = (size_t)w; left > 0 && i < n;) {
            if (left >= iov[i].iov_len) {
                left -= iov[i].iov_len;
                iov[i++].iov_len = 0;
            } else {
                iov[i].iov_base = (char *)iov[i].iov_base + left;
                iov[i].iov_len -= left;
                left = 0;
            }
        }
        while (i < n && iov[i].iov_len == 0) {
            i++;
        }
    }
    return 0;
}

/*
 * Takes back the part of a line that a failed write left at the end of the
 * file (a full disk, the file size limit), so that the retry's line does
 * not continue it. Only while the file still ends with that part: a line
 * another writer appended since is not cut (its line and the part then stay).
 */
static void take_back(int fd, size_t done)
{
    struct stat st;
    off_t end;
    int e = errno;

    if (done > 0 && (end = lseek(fd, 0, SEEK_CUR)) >= (off_t)done && fstat(fd, &st) == 0 &&
        st.st_size == end) {
        (void)ftruncate(fd, end - (off_t)done);
    }
    errno = e;
}

#define OPEN_FLAGS (O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY)

/*
 * Opens path for appending without following a symbolic link anywhere in it:
 * each directory is opened from the one before with O_DIRECTORY | O_NOFOLLOW,
 * the file from the last with O_NOFOLLOW. Returns the descriptor, or -1 with
 * err set (naming the component that is a link).
 */
static int open_nofollow(const char *path, char *err, size_t errlen)
{
    static const char link_why[] = "a file target does not follow symbolic links unless its "
                                   "spec says \"follow_symlinks\": true";
    char comp[NAME_MAX + 1];
    const char *p = path;
    int dfd, fd;

    if ((dfd = open(path[0] == '/' ? "/" : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        snprintf(err, errlen, "file %s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    while (*p == '/') {
        p++;
    }
    for (;;) {
        size_t n = strcspn(p, "/");
        const char *q = p + n;
        int nfd;

        while (*q == '/') {
            q++;
        }
        if (p[n] == '\0' || *q == '\0') {
            break; /* p is the file (a trailing "/" makes the open below fail) */
        }
        if (n > NAME_MAX) {
            snprintf(err, errlen, "file %s: cannot open: %s", path, strerror(ENAMETOOLONG));
            close(dfd);
            return -1;
        }
        snprintf(comp, sizeof(comp), "%.*s", (int)n, p);
        if (strcmp(comp, ".") != 0) {
            if ((nfd = openat(dfd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
                int e = errno;
                int at = (int)(p + n - path);

                if (e == ELOOP || e == ENOTDIR) {
                    snprintf(err, errlen,
                             "file %s: cannot open its directory %.*s: a symbolic link or not a "
                             "directory (%s)",
                             path, at, path, link_why);
                } else {
                    snprintf(err, errlen, "file %s: cannot open: %s", path, strerror(e));
                }
                close(dfd);
                return -1;
            }
            close(dfd);
            dfd = nfd;
        }
        p = q;
    }
    if ((fd = openat(dfd, p, OPEN_FLAGS | O_NOFOLLOW, 0640)) < 0) {
        if (errno == ELOOP) {
            snprintf(err, errlen, "file %s: cannot open: it is a symbolic link (%s)", path,
                     link_why);
        } else {
            snprintf(err, errlen, "file %s: cannot open: %s", path, strerror(errno));
        }
    }
    close(dfd);
    return fd;
}

static int file_deliver(const char *spec, size_t len, const char *event, size_t evlen,
                        const struct cm_target_ctx *ctx, char *err, size_t errlen)
{
    struct cm_tspec s;
    struct file_spec f;
    size_t done = 0;
    int rc, fd = -1;

    (void)ctx;
    if ((rc = cm_tspec_open(&s, "file: bad spec: ", spec, len, members, err, errlen)) != 0 ||
        (rc = file_read(&s, &f)) != 0) {
        goto done;
    }
    if (memchr(event, '\n', evlen) != NULL) {
        snprintf(err, errlen, "file %s: the event holds a newline (one line per event)", f.path);
        rc = CM_EINVAL;
        goto done;
    }
    if (f.follow_symlinks) {
        if ((fd = open(f.path, OPEN_FLAGS, 0640)) < 0) {
            snprintf(err, errlen, "file %s: cannot open: %s", f.path, strerror(errno));
        }
    } else {
        fd = open_nofollow(f.path, err, errlen);
    }
    if (fd < 0) {
        rc = CM_EIO;
        goto done;
    }
    if (append_line(fd, event, evlen, &done) != 0) {
        take_back(fd, done);
        snprintf(err, errlen, "file %s: write: %s", f.path, strerror(errno));
        rc = CM_EIO;
        goto done;
    }
    if (f.fsync && fdatasync(fd) != 0) {
        snprintf(err, errlen, "file %s: fdatasync: %s", f.path, strerror(errno));
        rc = CM_EIO;
        goto done;
    }
done:
    if (fd >= 0 && close(fd) != 0 && rc == 0) {
        snprintf(err, errlen, "file %s: close: %s", f.path, strerror(errno));
        rc = CM_EIO;
    }
    cm_tspec_close(&s);
    return rc;
}

const struct cm_target_kind cm_target_file = {
    .name = "file",
    .summary = "append each event as one JSON line to a file",
    .check = file_check,
    .deliver = file_deliver,
};
