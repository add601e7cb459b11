/*
 * Lists into the intel directory: atomic files, checked copies of added
 * files, and feed updates with libcurl. See intel/feed_update.h.
 */
#include "intel/feed_update.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/err.h"
#include "coalmine/version.h"
#include "net/net_guard.h"

/* ---- atomic files ---- */

int cm_intel_mkdirs(const char *dir, char *err, size_t errlen)
{
    char path[PATH_MAX];
    size_t n = strlen(dir);

    if (n == 0 || n >= sizeof(path)) {
        snprintf(err, errlen, "%s: bad directory name", dir);
        return CM_EIO;
    }
    memcpy(path, dir, n + 1);
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') {
            continue;
        }
        *p = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            return CM_EIO;
        }
        *p = '/';
    }
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return CM_EIO;
    }
    return 0;
}

/*
 * The mode dir/name gets: the mode of the file it replaces, else what open(O_CREAT,
 * 0666) gives under the umask (mkstemp's 0600 would hide a list from its readers, and
 * a fixed 0644 would show a state file of principals and paths to everyone under a
 * umask of 077).
 */
static mode_t final_mode(const char *dir, const char *name)
{
    char *dst = cm_intel_strf("%s/%s", dir, name);
    struct stat st;
    mode_t mask;

    if (dst != NULL && stat(dst, &st) == 0 && S_ISREG(st.st_mode)) {
        cm_free(dst);
        return st.st_mode & 07777;
    }
    cm_free(dst);
    mask = umask(022); /* read it: there is no call that only reads */
    umask(mask);
    return 0666 & ~mask;
}

int cm_intel_temp_create(const char *dir, const char *name, char **path, int *fd, char *err,
                         size_t errlen)
{
    *fd = -1;
    if (cm_intel_mkdirs(dir, err, errlen) != 0) {
        return CM_EIO;
    }
    if ((*path = cm_intel_strf("%s/.%s.XXXXXX", dir, name)) == NULL) {
        snprintf(err, errlen, "out of memory");
        return CM_ENOMEM;
    }
    if ((*fd = mkstemp(*path)) < 0) {
        snprintf(err, errlen, "%s: %s", *path, strerror(errno));
        cm_free(*path);
        *path = NULL;
        return CM_EIO;
    }
    (void)fchmod(*fd, final_mode(dir, name));
    return 0;
}

int cm_intel_temp_commit(const char *tmp, const char *dir, const char *name, char *err,
                         size_t errlen)
{
    char *dst = cm_intel_strf("%s/%s", dir, name);
    int dfd, rc = 0;

    if (dst == NULL) {
        unlink(tmp);
        snprintf(err, errlen, "out of memory");
        return CM_ENOMEM;
    }
    if (rename(tmp, dst) != 0) {
        snprintf(err, errlen, "%s: %s", dst, strerror(errno));
        unlink(tmp);
        rc = CM_EIO;
    } else if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
        (void)fsync(dfd); /* the rename is durable once the directory is */
        close(dfd);
    }
    cm_free(dst);
    return rc;
}

/* Writes n bytes of p to fd. Returns 0 or CM_EIO (errno set). */
static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return CM_EIO;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* fsyncs and closes the temp file fd at tmp; then commits it or removes it. */
static int temp_finish(int fd, int rc, const char *tmp, const char *dir, const char *name,
                       char *err, size_t errlen)
{
    if (rc == 0 && fsync(fd) != 0) {
        snprintf(err, errlen, "%s: fsync: %s", tmp, strerror(errno));
        rc = CM_EIO;
    }
    if (close(fd) != 0 && rc == 0) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        rc = CM_EIO;
    }
    if (rc != 0) {
        unlink(tmp);
        return rc;
    }
    return name ? cm_intel_temp_commit(tmp, dir, name, err, errlen) : 0;
}

int cm_intel_write_atomic(const char *dir, const char *name, const void *data, size_t len,
                          char *err, size_t errlen)
{
    const struct cm_intel_part part = {data, len};

    return cm_intel_write_atomic_parts(dir, name, &part, 1, err, errlen);
}

int cm_intel_write_atomic_parts(const char *dir, const char *name,
                                const struct cm_intel_part *parts, size_t nparts, char *err,
                                size_t errlen)
{
    char *tmp = NULL;
    int fd, rc = 0;

    if ((rc = cm_intel_temp_create(dir, name, &tmp, &fd, err, errlen)) != 0) {
        return rc;
    }
    for (size_t i = 0; rc == 0 && i < nparts; i++) {
        if ((rc = write_all(fd, parts[i].p, parts[i].len)) != 0) {
            snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        }
    }
    rc = temp_finish(fd, rc, tmp, dir, name, err, errlen);
    cm_free(tmp);
    return rc;
}

/* ---- checked copies ---- */

struct bad_wrap {
    cm_intel_bad_fn fn;
    void *ud;
    const char *path; /* what to call the file */
};

static void bad_wrapped(void *ud, const struct cm_intel_source *src, uint32_t line,
                        const char *reason)
{
    struct bad_wrap *w = ud;
    struct cm_intel_source s = *src;

    s.path = w->path;
    if (w->fn) {
        w->fn(w->ud, &s, line, reason);
    }
}

int cm_intel_check_file(const struct cm_intel_entry *e, const char *path, cm_intel_bad_fn bad,
                        void *ud, struct cm_intel_source_report *rep, char *err, size_t errlen)
{
    struct cm_intel_source_report r;
    struct cm_intel_snapshot *snap = NULL;
    struct cm_intel_source src;
    int rc;

    cm_intel_config_source(e, &src);
    src.path = path;
    memset(&r, 0, sizeof(r));
    rc = cm_intel_open(&src, 1, cm_intel_seed(), bad, ud, &r, &snap, err, errlen);
    cm_intel_snapshot_unref(snap);
    if (rc == 0 && r.st.ip_entries + r.st.dom_entries == 0) {
        snprintf(err, errlen,
                 "%s: no indicators in it (%llu bad records, %llu left out as shared "
                 "infrastructure: docs/intel.md)",
                 path, (unsigned long long)r.st.bad, (unsigned long long)r.st.shared);
        rc = CM_EINVAL;
    }
    if (rep != NULL) {
        *rep = r;
        rep->name = e->name;
        rep->path = path;
    }
    return rc;
}

/* In err, replaces a leading "tmp" by "path" (messages name the user's file). */
static void rename_in_err(char *err, size_t errlen, const char *tmp, const char *path)
{
    size_t tl = strlen(tmp);
    char copy[1024];

    if (strncmp(err, tmp, tl) == 0) {
        snprintf(copy, sizeof(copy), "%s%s", path, err + tl);
        snprintf(err, errlen, "%s", copy);
    }
}

/* Copies src into a temp file of dir (fsynced, closed); *bytes gets its size. */
static int copy_to_temp(const char *src, const char *dir, const char *name, char **tmp,
                        uint64_t *bytes, char *err, size_t errlen)
{
    char buf[65536];
    int in = open(src, O_RDONLY | O_CLOEXEC), out = -1, rc = 0;
    struct stat st;
    ssize_t r;

    *bytes = 0;
    if (in < 0 || fstat(in, &st) != 0 || S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: %s", src, in < 0 ? strerror(errno) : "is a directory");
        if (in >= 0) {
            close(in);
        }
        return CM_EIO;
    }
    if ((rc = cm_intel_temp_create(dir, name, tmp, &out, err, errlen)) != 0) {
        close(in);
        return rc;
    }
    while ((r = read(in, buf, sizeof(buf))) != 0) {
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0) {
            snprintf(err, errlen, "%s: %s", src, strerror(errno));
            rc = CM_EIO;
            break;
        }
        if (write_all(out, buf, (size_t)r) != 0) {
            snprintf(err, errlen, "%s: %s", *tmp, strerror(errno));
            rc = CM_EIO;
            break;
        }
        *bytes += (uint64_t)r;
    }
    close(in);
    if ((rc = temp_finish(out, rc, *tmp, dir, NULL, err, errlen)) != 0) {
        cm_free(*tmp);
        *tmp = NULL;
    }
    return rc;
}

int cm_intel_copy_file(const char *data_dir, struct cm_intel_entry *e, bool allow_bad,
                       cm_intel_bad_fn bad, void *ud, struct cm_intel_source_report *rep, char *err,
                       size_t errlen)
{
    struct bad_wrap w = {bad, ud, e->origin_path};
    struct cm_intel_source_report r;
    char *dir = cm_intel_strf("%s/lists", data_dir), *tmp = NULL;
    int rc;

    if (dir == NULL) {
        snprintf(err, errlen, "out of memory");
        return CM_ENOMEM;
    }
    rc = copy_to_temp(e->origin_path, dir, e->name, &tmp, &e->st.bytes, err, errlen);
    if (rc == 0) {
        rc = cm_intel_check_file(e, tmp, bad_wrapped, &w, &r, err, errlen);
        rename_in_err(err, errlen, tmp, e->origin_path);
        if (rep != NULL) {
            *rep = r;
            rep->path = e->origin_path;
        }
        if (rc == 0 && r.st.bad > 0 && !allow_bad) {
            snprintf(err, errlen,
                     "%s: %llu bad record%s (listed above); fix the file, or add it "
                     "without them with --allow-bad",
                     e->origin_path, (unsigned long long)r.st.bad, r.st.bad == 1 ? "" : "s");
            rc = CM_EINVAL;
        }
        e->st.entries = r.st.ip_entries + r.st.dom_entries;
        e->st.bad = r.st.bad;
        if (rc == 0) {
            rc = cm_intel_temp_commit(tmp, dir, e->name, err, errlen);
        } else {
            unlink(tmp);
        }
    }
    cm_free(tmp);
    cm_free(dir);
    return rc;
}

/* ---- feed updates ---- */

const char *cm_feed_result_name(enum cm_feed_result r)
{
    return r == CM_FEED_UPDATED ? "updated" : r == CM_FEED_UNCHANGED ? "unchanged" : "failed";
}

/* One transfer: the body's temp file and cap, and the final response's validators. */
struct xfer {
    int fd;
    uint64_t bytes, max;
    bool too_big;
    int werr; /* errno of a failed write */
    char etag[512];
    char last_modified[128];
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct xfer *x = ud;
    size_t len = size * n;

    if (len > x->max - x->bytes) {
        x->too_big = true;
        return 0; /* aborts the transfer (CURLE_WRITE_ERROR) */
    }
    if (write_all(x->fd, p, len) != 0) {
        x->werr = errno ? errno : EIO;
        return 0;
    }
    x->bytes += len;
    return len;
}

/* Copies the value of header line h into out when h is "name: value" and it fits. */
static void header_value(const char *h, size_t len, const char *name, char *out, size_t outlen)
{
    size_t n = strlen(name), b, e;

    if (len <= n || strncasecmp(h, name, n) != 0 || h[n] != ':') {
        return;
    }
    for (b = n + 1; b < len && (h[b] == ' ' || h[b] == '\t'); b++) {
    }
    for (e = len; e > b && (h[e - 1] == '\r' || h[e - 1] == '\n' || h[e - 1] == ' ');) {
        e--;
    }
    if (e > b && e - b < outlen) {
        for (size_t i = b; i < e; i++) {
            if ((unsigned char)h[i] < 0x20 || h[i] == 0x7f) {
                return; /* never stored, never sent back */
            }
        }
        memcpy(out, h + b, e - b);
        out[e - b] = '\0';
    }
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    struct xfer *x = ud;
    size_t len = size * n;

    if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
        x->etag[0] = x->last_modified[0] = '\0'; /* a new response (redirect, 100) */
    } else {
        header_value(p, len, "etag", x->etag, sizeof(x->etag));
        header_value(p, len, "last-modified", x->last_modified, sizeof(x->last_modified));
    }
    return len;
}

/* True when the files at a and b hold the same bytes. */
static bool same_content(const char *a, const char *b)
{
    char ba[16384], bb[16384];
    struct stat sa, sb;
    int fa, fb;
    bool same = false;
    ssize_t ra, rb;

    if (stat(a, &sa) != 0 || stat(b, &sb) != 0 || sa.st_size != sb.st_size) {
        return false;
    }
    fa = open(a, O_RDONLY | O_CLOEXEC);
    fb = open(b, O_RDONLY | O_CLOEXEC);
    while (fa >= 0 && fb >= 0) {
        ra = read(fa, ba, sizeof(ba));
        rb = read(fb, bb, sizeof(bb));
        if (ra != rb || ra < 0 || memcmp(ba, bb, (size_t)ra) != 0) {
            break;
        }
        if (ra == 0) {
            same = true;
            break;
        }
    }
    if (fa >= 0) {
        close(fa);
    }
    if (fb >= 0) {
        close(fb);
    }
    return same;
}

static void set_str(char **dst, const char *v)
{
    cm_free(*dst);
    *dst = v && v[0] ? cm_intel_strf("%s", v) : NULL;
}

static int failed(struct cm_intel_entry *e, struct cm_feed_outcome *out, int rc, const char *fmt,
                  ...) __attribute__((format(printf, 4, 5)));

/* Records a failure: the outcome, the state (the last good copy is left alone). */
static int failed(struct cm_intel_entry *e, struct cm_feed_outcome *out, int rc, const char *fmt,
                  ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
    va_end(ap);
    out->result = CM_FEED_FAILED;
    e->st.failed = e->st.checked;
    set_str(&e->st.failure, out->reason);
    return rc;
}

/* Sets the request options of one transfer. */
static int setup(CURL *h, const struct cm_intel_entry *e, const struct cm_feed_opts *o,
                 struct xfer *x, struct curl_slist **hdrs, char *errbuf)
{
    bool https = strncasecmp(e->url, "https:", 6) == 0;
    char line[700];
    CURLcode rc = CURLE_OK;

    *hdrs = NULL;
    if (access(e->path, F_OK) == 0) { /* validators only while the copy they describe exists */
        if (e->st.etag != NULL) {
            snprintf(line, sizeof(line), "If-None-Match: %s", e->st.etag);
            *hdrs = curl_slist_append(*hdrs, line);
        }
        if (e->st.last_modified != NULL) {
            snprintf(line, sizeof(line), "If-Modified-Since: %s", e->st.last_modified);
            *hdrs = curl_slist_append(*hdrs, line);
        }
    }
#define SET(opt, v)                                                                                \
    if (rc == CURLE_OK) {                                                                          \
        rc = curl_easy_setopt(h, opt, v);                                                          \
    }
    SET(CURLOPT_URL, e->url);
    SET(CURLOPT_ERRORBUFFER, errbuf);
    SET(CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
    SET(CURLOPT_PROTOCOLS_STR, "http,https,file");
    SET(CURLOPT_REDIR_PROTOCOLS_STR, https ? "https" : "http,https");
#else
    SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS | CURLPROTO_FILE));
    SET(CURLOPT_REDIR_PROTOCOLS,
        https ? (long)CURLPROTO_HTTPS : (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    SET(CURLOPT_FOLLOWLOCATION, 1L);
    SET(CURLOPT_MAXREDIRS, (long)CM_FEED_MAX_REDIRS);
    SET(CURLOPT_SSL_VERIFYPEER, 1L);
    SET(CURLOPT_SSL_VERIFYHOST, 2L);
    SET(CURLOPT_ACCEPT_ENCODING, ""); /* every encoding curl decodes: gzip, deflate, ... */
    SET(CURLOPT_CONNECTTIMEOUT, o->connect_timeout);
    SET(CURLOPT_TIMEOUT, o->max_time);
    SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->max);
    SET(CURLOPT_USERAGENT, "coalmine/" COALMINE_VERSION);
    SET(CURLOPT_HTTPHEADER, *hdrs);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, x);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, x);
#undef SET
    return rc == CURLE_OK ? 0 : CM_EINVAL;
}

/* The body in tmp (closed) was received whole: check it and swap it in. */
static int take_body(struct cm_intel_entry *e, const char *tmp, const char *dir,
                     const struct xfer *x, struct cm_feed_outcome *out)
{
    struct cm_intel_source_report r;
    char err[512];
    int rc;

    if (access(e->path, F_OK) == 0 && same_content(tmp, e->path)) {
        unlink(tmp);
        out->result = CM_FEED_UNCHANGED;
        return 0;
    }
    rc = cm_intel_check_file(e, tmp, NULL, NULL, &r, err, sizeof(err));
    out->bad = r.st.bad;
    if (rc != 0) {
        char what[64];

        unlink(tmp);
        snprintf(what, sizeof(what), "body (%s)", e->format ? e->format->name : "sniffed format");
        rename_in_err(err, sizeof(err), tmp, what);
        return failed(e, out, rc, "%s", err);
    }
    if ((rc = cm_intel_temp_commit(tmp, dir, e->name, err, sizeof(err))) != 0) {
        return failed(e, out, rc, "%s", err);
    }
    out->result = CM_FEED_UPDATED;
    out->entries = r.st.ip_entries + r.st.dom_entries;
    e->st.changed = e->st.checked;
    e->st.bytes = x->bytes;
    e->st.entries = out->entries;
    e->st.bad = r.st.bad;
    return 0;
}

int cm_feed_update(struct cm_intel_config *c, struct cm_intel_entry *e,
                   const struct cm_feed_opts *o, struct cm_feed_outcome *out)
{
    static const struct cm_feed_opts defaults = {0, 0, 0};
    char errbuf[CURL_ERROR_SIZE] = "", err[512], *dir = NULL, *tmp = NULL;
    struct curl_slist *hdrs = NULL;
    struct cm_feed_opts op = o ? *o : defaults;
    struct cm_net_guard guard;
    struct xfer x;
    CURL *h = NULL;
    CURLcode res;
    bool file;
    int rc;

    memset(out, 0, sizeof(*out));
    memset(&x, 0, sizeof(x));
    x.fd = -1;
    x.max = op.max_bytes ? op.max_bytes : CM_FEED_MAX_BYTES;
    op.connect_timeout = op.connect_timeout > 0 ? op.connect_timeout : CM_FEED_CONNECT_TIMEOUT;
    op.max_time = op.max_time > 0 ? op.max_time : CM_FEED_MAX_TIME;
    e->st.checked = (int64_t)time(NULL);
    if (e->url == NULL) {
        return failed(e, out, CM_EINVAL, "not a feed (no URL)");
    }
    file = strncasecmp(e->url, "file:", 5) == 0;
    if ((dir = cm_intel_strf("%s/feeds", c->data_dir)) == NULL) {
        return failed(e, out, CM_ENOMEM, "out of memory");
    }
    if ((rc = cm_intel_temp_create(dir, e->name, &tmp, &x.fd, err, sizeof(err))) != 0) {
        rc = failed(e, out, rc, "%s", err);
        goto done;
    }
    if ((h = curl_easy_init()) == NULL || setup(h, e, &op, &x, &hdrs, errbuf) != 0 ||
        cm_net_guard_curl(h, &guard) != 0) {
        rc = failed(e, out, CM_ENOMEM, "libcurl could not be set up");
        goto fail;
    }
    res = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
    curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &out->seconds);
    out->bytes = x.bytes;
    if (x.too_big || res == CURLE_FILESIZE_EXCEEDED) {
        rc = failed(e, out, CM_E2BIG, "larger than the size cap of %llu bytes",
                    (unsigned long long)x.max);
    } else if (x.werr != 0) {
        rc = failed(e, out, CM_EIO, "%s: %s", tmp, strerror(x.werr));
    } else if (res == CURLE_COULDNT_CONNECT && cm_net_guard_why(&guard, err, sizeof(err))) {
        rc = failed(e, out, CM_EIO, "%s", err); /* the URL or a redirect led there */
    } else if (res != CURLE_OK) {
        rc = failed(e, out, CM_EIO, "%s", errbuf[0] ? errbuf : curl_easy_strerror(res));
    } else if (out->status == 304 && access(e->path, F_OK) == 0) {
        out->result = CM_FEED_UNCHANGED;
        rc = 0;
    } else if (!(out->status == 200 || (file && out->status == 0))) {
        rc = failed(e, out, CM_EIO, "HTTP status %ld", out->status);
    } else {
        rc = temp_finish(x.fd, 0, tmp, dir, NULL, err, sizeof(err));
        x.fd = -1;
        rc = rc != 0 ? failed(e, out, rc, "%s", err) : take_body(e, tmp, dir, &x, out);
        if (rc == 0) {
            set_str(&e->st.etag, x.etag);
            set_str(&e->st.last_modified, x.last_modified);
        }
        goto done;
    }
fail:
    if (x.fd >= 0) {
        close(x.fd);
        unlink(tmp);
    }
done:
    if (rc == 0) {
        e->st.succeeded = e->st.checked;
        set_str(&e->st.failure, NULL);
    }
    curl_slist_free_all(hdrs);
    if (h != NULL) {
        curl_easy_cleanup(h);
    }
    cm_free(tmp);
    cm_free(dir);
    return rc;
}
