/*
 * Reading and checking an API list at activation (api_lists_load.h).
 */
#include "api/api_lists_load.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/err.h"
#include "intel/feed_update.h"
#include "intel/intel_config.h"
#include "intel/intel_load.h"
#include "source/source_file.h"

#define SHOW_BAD 3

static int hexval(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

int cm_api_loc_parse(const char *location, enum cm_api_loc *out, char *why, size_t whylen)
{
    if (strncasecmp(location, "s3://", 5) == 0) {
        snprintf(why, whylen,
                 "s3:// locations are not read (coalmine uses no AWS credentials): "
                 "give an absolute path, a file:// URI or an http(s) URL");
        return CM_EINVAL;
    }
    if (strncasecmp(location, "http://", 7) == 0 || strncasecmp(location, "https://", 8) == 0 ||
        strncasecmp(location, "file://", 7) == 0) {
        *out = CM_API_LOC_URL;
        return 0;
    }
    if (location[0] == '/') {
        *out = CM_API_LOC_PATH;
        return 0;
    }
    snprintf(why, whylen, "must be an absolute path, a file:// URI or an http(s) URL");
    return CM_EINVAL;
}

void cm_api_activation_init(struct cm_api_activation *a)
{
    memset(a, 0, sizeof(*a));
    cm_buf_init(&a->bytes, (size_t)CM_API_LIST_MAX_BYTES);
}

void cm_api_activation_finish(struct cm_api_activation *a)
{
    cm_buf_finish(&a->bytes);
}

static void set_error(struct cm_api_activation *a, const char *why)
{
    a->active = false;
    snprintf(a->details, sizeof(a->details), "%s", why);
    cm_buf_reset(&a->bytes);
}

/* Fetches a URL with the feed code into a private temp directory, then into a->bytes. */
static int fetch_url(const char *url, const struct cm_intel_format *fmt, enum cm_intel_kind kind,
                     struct cm_api_activation *a)
{
    const char *tmp = getenv("TMPDIR");
    struct cm_feed_opts opts = {CM_API_LIST_MAX_BYTES, 10, CM_API_LIST_MAX_TIME};
    struct cm_intel_config c;
    struct cm_intel_entry e;
    struct cm_feed_outcome out;
    char dir[512], feeds[600], path[640];
    int rc;

    snprintf(dir, sizeof(dir), "%s/coalmine-list-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) {
        char why[600];
        snprintf(why, sizeof(why), "a temporary directory for the download: %s", strerror(errno));
        set_error(a, why);
        return 0;
    }
    snprintf(feeds, sizeof(feeds), "%s/feeds", dir);
    snprintf(path, sizeof(path), "%s/list", feeds);
    memset(&c, 0, sizeof(c));
    c.lock_fd = -1;
    c.data_dir = dir;
    memset(&e, 0, sizeof(e));
    e.name = (char *)(uintptr_t) "list";
    e.origin = CM_INTEL_USER_FEED;
    e.kind = kind;
    e.category = kind == CM_INTEL_KIND_THREAT ? CM_CAT_CUSTOM : CM_CAT_UNKNOWN;
    e.format = fmt;
    e.url = (char *)(uintptr_t)url;
    e.path = path;
    rc = cm_feed_update(&c, &e, &opts, &out);
    if (rc == CM_ENOMEM) {
        rc = CM_ENOMEM;
    } else if (rc != 0) {
        char why[700];
        snprintf(why, sizeof(why), "%s: %s", url, out.reason);
        set_error(a, why);
        rc = 0;
    } else if ((rc = cm_read_path(path, &a->bytes, 0)) != 0) {
        char why[700];
        snprintf(why, sizeof(why), "%s: reading the download: %s", url, cm_strerror(rc));
        set_error(a, why);
        rc = rc == CM_ENOMEM ? rc : 0;
    } else {
        a->active = true;
    }
    cm_free(e.st.etag);
    cm_free(e.st.last_modified);
    cm_free(e.st.failure);
    (void)unlink(path);
    (void)rmdir(feeds);
    (void)rmdir(dir);
    return rc;
}

/*
 * Reads the local file path into a->bytes. Only a regular file is read: a
 * name that is not one is not opened, the open does not wait (O_NONBLOCK),
 * so a FIFO with no writer, a terminal or a device cannot hold the server's
 * only thread, and what was opened is checked again with fstat (the name may
 * have changed in between).
 */
static int read_local(const char *path, const char *location, struct cm_api_activation *a)
{
    struct stat st;
    char why[700];
    int fd, rc, flags;

    memset(&st, 0, sizeof(st));
    /* Not even opened when the name is not a file: opening some devices acts
     * (a watchdog starts, a tape rewinds). */
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        snprintf(why, sizeof(why), "%s: %s", location,
                 S_ISDIR(st.st_mode) ? "a directory, not a file" : "not a regular file");
        set_error(a, why);
        return 0;
    }
    fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        snprintf(why, sizeof(why), "%s: %s", location, strerror(errno));
        set_error(a, why);
        return 0;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(why, sizeof(why), "%s: %s", location,
                 S_ISDIR(st.st_mode) ? "a directory, not a file" : "not a regular file");
        close(fd);
        set_error(a, why);
        return 0;
    }
    flags = fcntl(fd, F_GETFL);
    if (flags >= 0) {
        (void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    }
    rc = cm_read_fd(fd, &a->bytes, (size_t)st.st_size);
    if (rc == 0 && a->bytes.len > CM_API_LIST_MAX_BYTES) {
        rc = CM_E2BIG;
    }
    if (rc != 0) {
        int saved = errno;
        snprintf(why, sizeof(why), "%s: %s", location,
                 rc == CM_E2BIG ? "larger than the cap of 64 MiB"
                 : rc == CM_EIO ? strerror(saved)
                                : cm_strerror(rc));
        close(fd);
        set_error(a, why);
        return rc == CM_ENOMEM ? rc : 0;
    }
    close(fd);
    a->active = true;
    return 0;
}

/*
 * The local path of a file:// URI (file:///PATH or file://localhost/PATH),
 * percent-decoded, into out. Returns 0, or -1 with the reason in why.
 */
static int file_uri_path(const char *uri, char *out, size_t cap, char *why, size_t whylen)
{
    const char *p = uri + 7; /* after "file://" */
    size_t n = 0;

    if (strncasecmp(p, "localhost/", 10) == 0) {
        p += 9;
    }
    if (*p != '/') {
        snprintf(why, whylen, "%s: a file:// URI names a file of this machine: file:///PATH", uri);
        return -1;
    }
    for (; *p != '\0' && *p != '?' && *p != '#'; p++) {
        int c = (unsigned char)*p;
        if (c == '%') {
            int h = hexval(p[1]), l = h < 0 ? -1 : hexval(p[2]);
            if (h < 0 || l < 0 || (h == 0 && l == 0)) {
                snprintf(why, whylen, "%s: a bad %%-escape in the URI", uri);
                return -1;
            }
            c = h * 16 + l;
            p += 2;
        }
        if (n + 1 >= cap) {
            snprintf(why, whylen, "%s: the path is too long", uri);
            return -1;
        }
        out[n++] = (char)c;
    }
    out[n] = '\0';
    return 0;
}

struct bads {
    uint64_t n;
    char first[SHOW_BAD][200];
};

static void on_bad(void *ud, const struct cm_intel_source *src, uint32_t line, const char *reason)
{
    struct bads *b = ud;

    (void)src;
    if (b->n < SHOW_BAD) {
        snprintf(b->first[b->n], sizeof(b->first[b->n]), "line %u: %s", (unsigned)line, reason);
    }
    b->n++;
}

/* Loads a->bytes as the scan will, and decides the status. */
static int check(enum cm_store_set_kind kind, const char *name, const struct cm_intel_format *fmt,
                 const char *location, struct cm_api_activation *a)
{
    struct cm_intel_source src;
    struct cm_intel_source_report rep;
    struct cm_intel_snapshot *snap = NULL;
    struct bads bad;
    char err[512] = "", why[1024];
    bool trusted = kind == CM_SET_IP || kind == CM_SET_TRUSTED_ENTITY;
    bool ips_only = kind == CM_SET_IP || kind == CM_SET_THREAT_INTEL;
    int rc;

    memset(&src, 0, sizeof(src));
    memset(&rep, 0, sizeof(rep));
    memset(&bad, 0, sizeof(bad));
    snprintf(src.name, sizeof(src.name), "%s", name);
    src.path = location;
    src.format = fmt;
    src.kind = trusted ? CM_INTEL_KIND_TRUSTED : CM_INTEL_KIND_THREAT;
    src.category = trusted ? CM_CAT_UNKNOWN : CM_CAT_CUSTOM;
    src.data = a->bytes.p != NULL ? a->bytes.p : "";
    src.data_len = a->bytes.len;
    rc = cm_intel_open(&src, 1, cm_intel_seed(), on_bad, &bad, &rep, &snap, err, sizeof(err));
    cm_intel_snapshot_unref(snap);
    if (rc == CM_ENOMEM) {
        return rc;
    }
    if (rc != 0) {
        snprintf(why, sizeof(why), "%s", err);
        set_error(a, why);
        return 0;
    }
    a->entries = rep.st.ip_entries + rep.st.dom_entries;
    if (ips_only && rep.st.dom_entries > 0) {
        snprintf(why, sizeof(why),
                 "%s: an %s holds IPv4 addresses and CIDR ranges only, and this list has %llu "
                 "domain names (a %s takes names)",
                 location, cm_store_set_kind_name(kind), (unsigned long long)rep.st.dom_entries,
                 trusted ? "TrustedEntitySet" : "ThreatEntitySet");
        set_error(a, why);
        return 0;
    }
    if (a->entries == 0 || bad.n > 0) {
        size_t len;

        snprintf(why, sizeof(why), "%s (%s): %llu %s loaded, %llu %s skipped", location,
                 fmt ? fmt->name : "sniffed", (unsigned long long)a->entries,
                 a->entries == 1 ? "entry" : "entries", (unsigned long long)bad.n,
                 bad.n == 1 ? "record" : "records");
        for (uint64_t i = 0; i < bad.n && i < SHOW_BAD; i++) {
            len = strlen(why);
            snprintf(why + len, sizeof(why) - len, "%s%s", i ? "; " : ": ", bad.first[i]);
        }
        if (a->entries == 0) {
            len = strlen(why);
            snprintf(why + len, sizeof(why) - len, "%s", " (no usable entry)");
            set_error(a, why);
            return 0;
        }
        snprintf(a->details, sizeof(a->details), "%s", why); /* ACTIVE, with a note */
    }
    return 0;
}

int cm_api_list_activate(enum cm_store_set_kind kind, const char *name,
                         const struct cm_intel_format *fmt, const char *location,
                         struct cm_api_activation *a)
{
    bool trusted = kind == CM_SET_IP || kind == CM_SET_TRUSTED_ENTITY;
    enum cm_api_loc loc;
    char why[256];
    int rc;

    a->active = false;
    a->entries = 0;
    a->details[0] = '\0';
    cm_buf_reset(&a->bytes);
    if (cm_api_loc_parse(location, &loc, why, sizeof(why)) != 0) {
        set_error(a, why);
        return 0;
    }
#ifdef CM_FUZZING
    /* A fuzzer's bytes must not make the process read files or reach the network. */
    (void)trusted;
    set_error(a, "locations are not read in a fuzzing build");
    return 0;
#endif
    if (loc == CM_API_LOC_URL && strncasecmp(location, "file://", 7) == 0) {
        /* Read here, not by curl: curl's open of a FIFO would wait with no timeout. */
        char path[4096], why2[700];
        if (file_uri_path(location, path, sizeof(path), why2, sizeof(why2)) != 0) {
            set_error(a, why2);
            return 0;
        }
        rc = read_local(path, location, a);
    } else {
        rc = loc == CM_API_LOC_URL
                 ? fetch_url(location, fmt, trusted ? CM_INTEL_KIND_TRUSTED : CM_INTEL_KIND_THREAT,
                             a)
                 : read_local(location, location, a);
    }
    if (rc != 0 || !a->active) {
        return rc;
    }
    return check(kind, name, fmt, location, a);
}
