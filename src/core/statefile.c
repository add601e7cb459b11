/*
 * The state file (statefile.h). Layout, little-endian:
 *
 *   "CMSTATE\n"  u32 version (2)  u32 ABI tag  u64 seed  u32 shards  i64 saved (wall ms)
 *   u32 names, each a u32 length and its bytes (inputs cited by evidence)
 *   u64 length, then the identities of the input files read and the plain logs that
 *   may grow (cm_fileseen_save; not in version 1, whose files are still read: the
 *   identities start empty)
 *   per shard: u64 length, then cm_engine_save's bytes
 *   u32 CRC-32 of every byte before it
 *
 * The ABI tag: the detectors' values are written as their bytes in memory
 * (cm_state_save), so a file is only read back by a build with the same
 * pointer size, alignment and byte order; each detector's state_version
 * covers the layout of its own values.
 */
#include "core/statefile.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <stdalign.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/map.h"
#include "core/clock.h"
#include "intel/feed_update.h"

#define MAGIC        "CMSTATE\n"
#define VERSION      2u
#define VERSION_OLD  1u /* before 2026-12-04: no file identities */
#define MAX_SHARDS   256u
#define MAX_NAME     4096u
#define HEADER_BYTES (8 + 4 + 4 + 8 + 4 + 8)

static uint32_t abi_tag(void)
{
    const uint16_t probe = 0x0102;
    unsigned char first;

    memcpy(&first, &probe, 1);
    return (uint32_t)sizeof(void *) | (uint32_t)alignof(max_align_t) << 8 |
           (uint32_t)sizeof(long) << 16 | (uint32_t)first << 24;
}

void cm_statefile_init(struct cm_statefile *sf, const char *path)
{
    memset(sf, 0, sizeof(*sf));
    sf->path = path;
    sf->lock_fd = -1;
    cm_fileseen_init(&sf->files);
}

void cm_statefile_free(struct cm_statefile *sf)
{
    for (unsigned i = 0; sf->out != NULL && i < sf->nout; i++) {
        cm_ckpt_w_finish(&sf->out[i]);
    }
    cm_free(sf->out);
    cm_map_destroy(sf->ids);
    cm_free(sf->raw);
    cm_free(sf->names);
    cm_free(sf->name_bytes);
    cm_free(sf->shard_at);
    cm_free(sf->shard_end);
    cm_free(sf->loaded);
    cm_free(sf->data);
    cm_fileseen_finish(&sf->files);
    sf->out = NULL;
    sf->ids = NULL;
    sf->raw = NULL;
    sf->names = NULL;
    sf->name_bytes = NULL;
    sf->shard_at = sf->shard_end = NULL;
    sf->loaded = NULL;
    sf->data = NULL;
    if (sf->lock_fd >= 0) {
        close(sf->lock_fd); /* the lock goes with the descriptor */
        sf->lock_fd = -1;
    }
}

/*
 * FILE's directory into dir and its base name into *name. Returns 0, or CM_EINVAL when
 * FILE names a directory (sf->err says so).
 */
static int split_path(struct cm_statefile *sf, char *dir, size_t dirlen, const char **name)
{
    const char *slash = strrchr(sf->path, '/');

    *name = slash ? slash + 1 : sf->path;
    if (slash == NULL) {
        snprintf(dir, dirlen, ".");
    } else {
        snprintf(dir, dirlen, "%.*s", (int)(slash - sf->path), sf->path);
        if (dir[0] == '\0') {
            snprintf(dir, dirlen, "/");
        }
    }
    if (**name == '\0') {
        snprintf(sf->err, sizeof(sf->err), "%s: names a directory, not a file", sf->path);
        return CM_EINVAL;
    }
    return 0;
}

/* Whether entry is ".NAME.XXXXXX": a temporary file mkstemp made to write NAME. */
static bool is_temp_of(const char *entry, const char *name)
{
    size_t n = strlen(name);

    if (entry[0] != '.' || strncmp(entry + 1, name, n) != 0 || entry[1 + n] != '.' ||
        strlen(entry + 2 + n) != 6) {
        return false;
    }
    for (const char *p = entry + 2 + n; *p; p++) {
        if (!isalnum((unsigned char)*p)) {
            return false;
        }
    }
    return true;
}

/*
 * Removes the temporary files a scan killed while writing FILE left beside it (the write
 * is a temporary file renamed over FILE; a kill -9, a file size limit or a power cut
 * before the rename leaves it there, as large as the state). Called with FILE.lock held:
 * no other scan is writing FILE, so every such file is a dead writer's. Best effort: one
 * that cannot be removed stays.
 */
static void sweep_temps(struct cm_statefile *sf)
{
    char dir[4096];
    const char *name;
    struct dirent *de;
    DIR *d;

    if (split_path(sf, dir, sizeof(dir), &name) != 0 || (d = opendir(dir)) == NULL) {
        sf->err[0] = '\0';
        return;
    }
    while ((de = readdir(d)) != NULL) {
        struct stat st;

        if (is_temp_of(de->d_name, name) &&
            fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
            unlinkat(dirfd(d), de->d_name, 0) == 0) {
            sf->stale++;
        }
    }
    closedir(d);
}

int cm_statefile_lock(struct cm_statefile *sf)
{
    struct flock fl;
    char *lock;
    size_t n = strlen(sf->path) + sizeof(".lock");
    int fd, rc = CM_OK;

    if ((lock = cm_malloc(n)) == NULL) {
        snprintf(sf->err, sizeof(sf->err), "%s: out of memory", sf->path);
        return CM_ENOMEM;
    }
    snprintf(lock, n, "%s.lock", sf->path);
    fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        /* Named as given ("--state DIR/FILE: ..."), then the lock file beside it. */
        snprintf(sf->err, sizeof(sf->err), "%s: cannot create its lock file %s: %s", sf->path, lock,
                 strerror(errno));
        rc = CM_EIO;
        goto done;
    }
    memset(&fl, 0, sizeof(fl));
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (fcntl(fd, F_SETLK, &fl) != 0) {
        int e = errno;

        if (e == EACCES || e == EAGAIN) {
            struct flock who = fl;
            char pid[48] = "another process";

            if (fcntl(fd, F_GETLK, &who) == 0 && who.l_type != F_UNLCK && who.l_pid > 0) {
                snprintf(pid, sizeof(pid), "process %ld", (long)who.l_pid);
            }
            snprintf(sf->err, sizeof(sf->err),
                     "%s: in use by %s (a coalmine scan or serve with this state holds %s); "
                     "run them one after the other",
                     sf->path, pid, lock);
            rc = CM_EEXIST;
        } else {
            snprintf(sf->err, sizeof(sf->err), "%s: cannot lock: %s", lock, strerror(e));
            rc = CM_EIO;
        }
        close(fd);
        goto done;
    }
    sf->lock_fd = fd;
    sweep_temps(sf);
done:
    cm_free(lock);
    return rc;
}

/* ---- reading ---- */

static int read_whole(struct cm_statefile *sf)
{
    FILE *f = fopen(sf->path, "rb");
    struct stat st;
    int rc = CM_EIO;

    if (f == NULL) {
        if (errno == ENOENT) {
            return CM_ENOTFOUND;
        }
        snprintf(sf->err, sizeof(sf->err), "%s: %s", sf->path, strerror(errno));
        return CM_EIO;
    }
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(sf->err, sizeof(sf->err), "%s: not a regular file", sf->path);
        goto out;
    }
    sf->len = (size_t)st.st_size;
    if ((sf->data = cm_malloc(sf->len ? sf->len : 1)) == NULL) {
        rc = CM_ENOMEM;
        snprintf(sf->err, sizeof(sf->err), "%s: out of memory", sf->path);
        goto out;
    }
    if (fread(sf->data, 1, sf->len, f) != sf->len) {
        snprintf(sf->err, sizeof(sf->err), "%s: read failed", sf->path);
        goto out;
    }
    rc = 0;
out:
    fclose(f);
    return rc;
}

static int bad(struct cm_statefile *sf, int rc, const struct cm_ckpt_r *r)
{
    snprintf(sf->err, sizeof(sf->err), "%s: byte %zu: %s", sf->path, r->err_off,
             r->why[0] ? r->why : cm_strerror(rc));
    return rc;
}

/*
 * The identities of the files earlier scans read, a section of their own: one of another
 * layout is skipped (the set starts empty, files_reset says so), a damaged one refused.
 */
static int parse_files(struct cm_statefile *sf, struct cm_ckpt_r *r)
{
    struct cm_ckpt_r sub;
    size_t end = cm_ckpt_section(r);
    int rc;

    if (r->err != 0) {
        return r->err;
    }
    cm_ckpt_r_init(&sub, r->p, end);
    sub.off = r->off;
    rc = cm_fileseen_load(&sf->files, &sub);
    if (rc == CM_EFORMAT && sub.err == 0) {
        cm_fileseen_finish(&sf->files);
        sf->files_reset = true;
    } else if (rc == 0 && sub.off != end) {
        cm_ckpt_r_fail(&sub, CM_EINVAL, "bytes after the file identities");
    }
    if (sub.err != 0) {
        r->off = sub.err_off;
        return cm_ckpt_r_fail(r, sub.err, sub.why);
    }
    r->off = end;
    return 0;
}

/* Header, name table, file identities and shard sections; the CRC is checked before. */
static int parse(struct cm_statefile *sf, struct cm_ckpt_r *r)
{
    const void *magic = cm_ckpt_take(r, 8);
    uint32_t version, abi;

    if (magic == NULL || memcmp(magic, MAGIC, 8) != 0) {
        r->off = 0;
        cm_ckpt_r_fail(r, CM_EFORMAT, "not a coalmine state file");
        return r->err;
    }
    version = cm_ckpt_get_u32(r);
    abi = cm_ckpt_get_u32(r);
    if (r->err == 0 && version != VERSION && version != VERSION_OLD) {
        char why[128];

        snprintf(why, sizeof(why),
                 "a state file version this build does not read (%" PRIu32 "; it reads %u and %u)",
                 version, VERSION_OLD, VERSION);
        r->off = 8; /* where the version is, not past it */
        return cm_ckpt_r_fail(r, CM_EFORMAT, why);
    }
    if (r->err == 0 && abi != abi_tag()) {
        r->off = 12;
        return cm_ckpt_r_fail(r, CM_EFORMAT, "written by a build for another kind of machine");
    }
    sf->seed = cm_ckpt_get_u64(r);
    sf->nshards = cm_ckpt_get_u32(r);
    sf->saved_ms = cm_ckpt_get_i64(r);
    sf->nnames = cm_ckpt_get_u32(r);
    if (r->err == 0 && (sf->nshards == 0 || sf->nshards > MAX_SHARDS)) {
        return cm_ckpt_r_fail(r, CM_EINVAL, "a shard count out of range");
    }
    if (r->err == 0 && sf->nnames > (r->len - r->off) / 4) {
        return cm_ckpt_r_fail(r, CM_ETRUNC, "more input names than the file has room for");
    }
    if (r->err != 0) {
        return r->err;
    }
    sf->names = cm_calloc(sf->nnames ? sf->nnames : 1, sizeof(*sf->names));
    sf->shard_at = cm_calloc(sf->nshards, sizeof(*sf->shard_at));
    sf->shard_end = cm_calloc(sf->nshards, sizeof(*sf->shard_end));
    sf->loaded = cm_calloc(sf->nshards, sizeof(*sf->loaded));
    if (sf->names == NULL || sf->shard_at == NULL || sf->shard_end == NULL || sf->loaded == NULL) {
        return cm_ckpt_r_fail(r, CM_ENOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < sf->nnames && r->err == 0; i++) {
        sf->names[i] = cm_ckpt_get_str(r, MAX_NAME);
    }
    sf->version = version;
    sf->files_reset = version == VERSION_OLD;
    if (version != VERSION_OLD && r->err == 0 && parse_files(sf, r) != 0) {
        return r->err;
    }
    for (unsigned i = 0; i < sf->nshards && r->err == 0; i++) {
        sf->shard_end[i] = cm_ckpt_section(r);
        sf->shard_at[i] = r->off;
        r->off = sf->shard_end[i];
    }
    if (r->err == 0 && r->off != r->len) {
        cm_ckpt_r_fail(r, CM_EINVAL, "bytes after the last shard");
    }
    return r->err;
}

/*
 * The names into a block of their own, so the file's bytes can go once every shard is
 * loaded (release) while the names are still needed to write evidence and the next file.
 */
static int own_names(struct cm_statefile *sf)
{
    size_t total = 0, at = 0;

    for (uint32_t i = 0; i < sf->nnames; i++) {
        total += sf->names[i].len;
    }
    if ((sf->name_bytes = cm_malloc(total ? total : 1)) == NULL) {
        snprintf(sf->err, sizeof(sf->err), "%s: out of memory", sf->path);
        return CM_ENOMEM;
    }
    for (uint32_t i = 0; i < sf->nnames; i++) {
        if (sf->names[i].len > 0) {
            memcpy(sf->name_bytes + at, sf->names[i].p, sf->names[i].len);
        }
        sf->names[i] = cm_str_make(sf->name_bytes + at, sf->names[i].len);
        at += sf->names[i].len;
    }
    return 0;
}

/* Frees the file's bytes: every shard was loaded, and the tables now hold what they held. */
static void release(struct cm_statefile *sf)
{
    cm_free(sf->data);
    sf->data = NULL;
    sf->len = 0;
}

int cm_statefile_read(struct cm_statefile *sf)
{
    struct cm_ckpt_r r;
    uint32_t crc;
    int rc = read_whole(sf);

    if (rc != 0) {
        return rc;
    }
    if (sf->len < HEADER_BYTES + 4 + 4) {
        cm_ckpt_r_init(&r, sf->data, sf->len);
        cm_ckpt_r_fail(&r, CM_ETRUNC, "too short to be a state file");
        return bad(sf, CM_ETRUNC, &r);
    }
    cm_ckpt_r_init(&r, sf->data + sf->len - 4, 4);
    crc = cm_ckpt_get_u32(&r);
    cm_ckpt_r_init(&r, sf->data, sf->len - 4);
    if (memcmp(sf->data, MAGIC, 8) == 0 && crc != libdeflate_crc32(0, sf->data, sf->len - 4)) {
        /* Cut short (a copy or a write that did not finish): its shards run past its end,
         * or end where the checksum should, or fewer than its 4 bytes follow them. */
        cm_ckpt_r_init(&r, sf->data, sf->len);
        rc = parse(sf, &r);
        if (rc == CM_ETRUNC || rc == 0 || (rc == CM_EINVAL && sf->len - r.err_off < 4)) {
            cm_ckpt_r_init(&r, sf->data, sf->len);
            r.off = sf->len;
            cm_ckpt_r_fail(&r, CM_ETRUNC, "the file ends early: it is truncated");
            return bad(sf, CM_ETRUNC, &r);
        }
        cm_ckpt_r_init(&r, sf->data, sf->len - 4);
        r.off = sf->len - 4;
        cm_ckpt_r_fail(&r, CM_EINVAL, "the checksum does not match: the file is damaged");
        return bad(sf, CM_EINVAL, &r);
    }
    if ((rc = parse(sf, &r)) != 0) {
        return bad(sf, rc, &r);
    }
    return own_names(sf);
}

/* A reference read back: an earlier run's input k becomes CM_STATE_RESTORED | k. */
static int ref_in(void *ud, struct cm_src_ref *ref)
{
    const struct cm_statefile *sf = ud;

    if (ref->file_id >= sf->nnames) {
        return CM_EINVAL;
    }
    ref->file_id |= CM_STATE_RESTORED;
    return 0;
}

int cm_statefile_load_engine(struct cm_statefile *sf, unsigned shard, struct cm_engine *e)
{
    struct cm_ckpt_r r;
    char dropped[sizeof(sf->dropped)];
    int rc;

    if (sf->data == NULL || shard >= sf->nshards || sf->loaded[shard]) {
        snprintf(sf->err, sizeof(sf->err), "%s: no state for shard %u", sf->path, shard);
        return CM_EINVAL;
    }
    cm_ckpt_r_init(&r, sf->data, sf->shard_end[shard]);
    r.off = sf->shard_at[shard];
    r.ref = ref_in;
    r.ref_ud = sf;
    if ((rc = cm_engine_load(e, &r, dropped, sizeof(dropped))) == 0 && r.off != r.len) {
        rc = cm_ckpt_r_fail(&r, CM_EINVAL, "a shard's state is longer than its engine read");
    }
    if (rc != 0) {
        return bad(sf, rc, &r);
    }
    if (shard == 0) {
        memcpy(sf->dropped, dropped, sizeof(dropped));
    }
    sf->loaded[shard] = true;
    if (++sf->nloaded == sf->nshards) {
        release(sf);
    }
    return 0;
}

/* ---- writing ---- */

int cm_statefile_begin_save(struct cm_statefile *sf, unsigned nshards, uint64_t seed)
{
    sf->out = cm_calloc(nshards ? nshards : 1, sizeof(*sf->out));
    if (sf->out == NULL || cm_map_create(&sf->ids, sizeof(uint32_t), 0, seed ^ 0x7374617465ULL)) {
        snprintf(sf->err, sizeof(sf->err), "%s: out of memory", sf->path);
        return CM_ENOMEM;
    }
    sf->nout = nshards;
    sf->seed = seed;
    for (unsigned i = 0; i < nshards; i++) {
        cm_ckpt_w_init(&sf->out[i], 0);
    }
    return 0;
}

/* A reference written: numbered by the order the file's name table lists its input. */
static int ref_out(void *ud, struct cm_src_ref *ref)
{
    struct cm_statefile *sf = ud;
    uint32_t *idx;
    bool created;

    if (cm_map_put(sf->ids, &ref->file_id, sizeof(ref->file_id), (void **)&idx, &created) != 0) {
        return CM_ENOMEM;
    }
    if (created) {
        if (sf->nraw == sf->capraw) {
            uint32_t cap = sf->capraw ? 2 * sf->capraw : 64;
            uint32_t *v = cm_realloc(sf->raw, cap * sizeof(*v));
            if (v == NULL) {
                cm_map_del(sf->ids, &ref->file_id, sizeof(ref->file_id));
                return CM_ENOMEM;
            }
            sf->raw = v;
            sf->capraw = cap;
        }
        *idx = sf->nraw;
        sf->raw[sf->nraw++] = ref->file_id;
    }
    ref->file_id = *idx;
    return 0;
}

int cm_statefile_save_engine(struct cm_statefile *sf, unsigned shard, const struct cm_engine *e)
{
    struct cm_ckpt_w *w;
    int rc;

    if (shard >= sf->nout) {
        return CM_EINVAL;
    }
    w = &sf->out[shard];
    w->ref = ref_out;
    w->ref_ud = sf;
    if ((rc = cm_engine_save(e, w)) != 0) {
        snprintf(sf->err, sizeof(sf->err), "%s: saving shard %u: %s", sf->path, shard,
                 cm_strerror(rc));
    }
    return rc;
}

const char *cm_statefile_name(const struct cm_statefile *sf, uint32_t file_id, size_t *len)
{
    uint32_t k = file_id & ~CM_STATE_RESTORED;

    if (!(file_id & CM_STATE_RESTORED) || k >= sf->nnames) {
        return NULL;
    }
    *len = sf->names[k].len;
    return sf->names[k].p;
}

/* The header and the name table into w: the bytes before the first shard. */
static void compose_head(struct cm_statefile *sf, struct cm_ckpt_w *w,
                         const char *(*input_path)(const void *ud, uint32_t id), const void *ud)
{
    size_t mark;

    cm_ckpt_put_bytes(w, MAGIC, 8);
    cm_ckpt_put_u32(w, VERSION);
    cm_ckpt_put_u32(w, abi_tag());
    cm_ckpt_put_u64(w, sf->seed);
    cm_ckpt_put_u32(w, sf->nout);
    cm_ckpt_put_i64(w, cm_clock_now_ms());
    cm_ckpt_put_u32(w, sf->nraw);
    for (uint32_t i = 0; i < sf->nraw; i++) {
        const char *p;
        size_t n = 0;

        if ((p = cm_statefile_name(sf, sf->raw[i], &n)) == NULL) {
            p = sf->raw[i] & CM_STATE_RESTORED ? NULL : input_path(ud, sf->raw[i]);
            n = p ? strlen(p) : 0;
        }
        cm_ckpt_put_str(w, p ? p : "?", p ? (n > MAX_NAME ? MAX_NAME : n) : 1);
    }
    mark = cm_ckpt_begin(w);
    cm_fileseen_save(&sf->files, w);
    cm_ckpt_end(w, mark);
}

/*
 * The file is its head, then per shard its length and the bytes its engine saved, then
 * the CRC-32 of all of them: written piece by piece from where they are, so the shards'
 * bytes are not copied into one buffer the size of the file first.
 */
int cm_statefile_write(struct cm_statefile *sf,
                       const char *(*input_path)(const void *ud, uint32_t id), const void *ud)
{
    struct cm_ckpt_w head, nums; /* nums: each shard's length (8 bytes), then the CRC-32 */
    struct cm_intel_part *parts = NULL;
    char dir[4096];
    const char *name;
    size_t np = 0;
    uint64_t total;
    uint32_t crc;
    int rc;

    if ((rc = split_path(sf, dir, sizeof(dir), &name)) != 0) {
        return rc;
    }
    cm_ckpt_w_init(&head, 0);
    cm_ckpt_w_init(&nums, 0);
    compose_head(sf, &head, input_path, ud);
    crc = libdeflate_crc32(0, head.buf.p, head.buf.len);
    total = head.buf.len;
    for (unsigned i = 0; i < sf->nout; i++) {
        const struct cm_buf *b = &sf->out[i].buf;

        cm_ckpt_w_fail(&head, sf->out[i].err);
        cm_ckpt_put_u64(&nums, b->len);
        if (nums.err == 0) {
            crc = libdeflate_crc32(crc, nums.buf.p + nums.buf.len - 8, 8);
            crc = b->len ? libdeflate_crc32(crc, b->p, b->len) : crc;
        }
        total += 8 + b->len;
    }
    cm_ckpt_put_u32(&nums, crc);
    /* nums is complete: its bytes stay where they are while the parts point into them. */
    if ((parts = cm_calloc(2 + 2 * (size_t)sf->nout, sizeof(*parts))) == NULL) {
        cm_ckpt_w_fail(&head, CM_ENOMEM);
    }
    cm_ckpt_w_fail(&head, nums.err);
    if ((rc = head.err) != 0) {
        snprintf(sf->err, sizeof(sf->err), "%s: %s", sf->path, cm_strerror(rc));
        goto out;
    }
    parts[np++] = (struct cm_intel_part){head.buf.p, head.buf.len};
    for (unsigned i = 0; i < sf->nout; i++) {
        parts[np++] = (struct cm_intel_part){nums.buf.p + 8 * (size_t)i, 8};
        parts[np++] = (struct cm_intel_part){sf->out[i].buf.p, sf->out[i].buf.len};
    }
    parts[np++] = (struct cm_intel_part){nums.buf.p + 8 * (size_t)sf->nout, 4};
    if ((rc = cm_intel_write_atomic_parts(dir, name, parts, np, sf->err, sizeof(sf->err))) == 0) {
        sf->written = total + 4;
    }
out:
    cm_free(parts);
    cm_ckpt_w_finish(&nums);
    cm_ckpt_w_finish(&head);
    return rc;
}

/* ---- carried in memory ---- */

int cm_statefile_carry(struct cm_statefile *sf,
                       const char *(*input_path)(const void *ud, uint32_t id), const void *ud)
{
    struct cm_statefile next;
    struct cm_ckpt_w all;
    struct cm_ckpt_r r;
    int rc;

    cm_ckpt_w_init(&all, 0);
    compose_head(sf, &all, input_path, ud);
    for (unsigned i = 0; i < sf->nout; i++) {
        cm_ckpt_w_fail(&all, sf->out[i].err);
        cm_ckpt_put_u64(&all, sf->out[i].buf.len);
        if (sf->out[i].buf.len > 0) {
            cm_ckpt_put_bytes(&all, sf->out[i].buf.p, sf->out[i].buf.len);
        }
    }
    if ((rc = all.err) != 0) {
        snprintf(sf->err, sizeof(sf->err), "%s: carrying the state: %s", sf->path, cm_strerror(rc));
        cm_ckpt_w_finish(&all);
        return rc;
    }
    cm_statefile_init(&next, sf->path);
    next.data = (unsigned char *)all.buf.p; /* the writer's bytes, taken over */
    next.len = all.buf.len;
    all.buf.p = NULL;
    all.buf.len = all.buf.cap = 0;
    cm_ckpt_w_finish(&all);
    cm_ckpt_r_init(&r, next.data, next.len);
    if ((rc = parse(&next, &r)) != 0 || (rc = own_names(&next)) != 0 ||
        (rc = cm_statefile_begin_save(&next, sf->nout, sf->seed)) != 0) {
        snprintf(sf->err, sizeof(sf->err), "%s: carrying the state: %s", sf->path,
                 r.why[0] ? r.why : cm_strerror(rc));
        cm_statefile_free(&next);
        return rc;
    }
    next.lock_fd = sf->lock_fd;
    sf->lock_fd = -1;
    next.written = sf->written;
    next.stale = sf->stale;
    cm_statefile_free(sf);
    *sf = next;
    return 0;
}
