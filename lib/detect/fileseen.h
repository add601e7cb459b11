/*
 * Input files read by earlier scans: the identities a state file remembers (`coalmine
 * scan --state`; docs/internals/statefile.md, "Which files were read"), so a later scan
 * given a file an earlier one read whole leaves it out before reading it. Flow and
 * Resolver records carry no id: without this, a cron scan of a folder that keeps filling
 * counted every old record into the windows and baselines again at every run.
 *
 * A file's identity is 128 bits hashed from its base name, its size and its first and
 * last CM_FILE_ID_EDGE bytes (cm_file_id_make). AWS object names are unique (they end
 * in a random string or a hash: `..._CloudTrail_<region>_<stamp>_<random16>.json.gz`,
 * `..._vpcflowlogs_<region>_<flow log>_<stamp>_<hash>.log.gz`), so the base name tells
 * two deliveries apart and the folder does not matter: the same object copied to another
 * folder, synced again or downloaded again is the same file. The size and the bytes at
 * both ends tell a file that changed under the same name (a plain log appended to, a
 * partial download completed: a gzip ends in the CRC-32 and length of what it holds)
 * from the one that was read, without reading the whole file (a plain log that grew is
 * then resumed where it was left: filegrow.h, the set's `grown`). A file renamed is
 * another file (read again; its CloudTrail records are still recognised by their eventIDs).
 *
 * The set is a sorted array of identities, each with the day (wall clock, days since
 * 1970) it was last in a scan's input list. cm_fileseen_settle forgets those not seen
 * for max_days and, past max_n, the least recently seen; what is forgotten is read again
 * if given again. Memory: 24 bytes an identity (20 in the file). No I/O here: the caller
 * hands the bytes.
 */
#ifndef CM_DETECT_FILESEEN_H
#define CM_DETECT_FILESEEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detect/filegrow.h"

struct cm_ckpt_w;
struct cm_ckpt_r;

/* Bytes hashed at each end of a file. */
#define CM_FILE_ID_EDGE 4096u
/* Days an identity is kept after the last scan whose input list had its file. */
#define CM_FILESEEN_DAYS 30u
/* Identities kept at most (96 MB in memory, 80 MB in the state file). */
#define CM_FILESEEN_MAX (4u << 20)
/* The layout cm_fileseen_save writes; bumped when it changes (1: no grown files, read). */
#define CM_FILESEEN_STATE_VERSION 2u

struct cm_file_id {
    uint64_t a, b;
};

struct cm_fileseen_ent {
    struct cm_file_id id;
    uint32_t day; /* the wall-clock day its file was last in an input list */
};

struct cm_fileseen {
    struct cm_fileseen_ent *v; /* v[0, nsorted) sorted by id, unique; then added ones */
    size_t n, nsorted, cap;
    size_t max_n;      /* CM_FILESEEN_MAX (tests lower it) */
    uint32_t max_days; /* CM_FILESEEN_DAYS */
    /* Where plain logs that grow are resumed (filegrow.h); settled, saved and loaded
     * with the identities, kept as long. */
    struct cm_filegrow grown;
};

/* What cm_fileseen_settle did. */
struct cm_fileseen_settled {
    size_t aged;   /* forgotten: not seen for max_days */
    size_t capped; /* forgotten: past max_n, the least recently seen first */
    size_t grown;  /* grown-file entries forgotten (aged, capped, or resumed past) */
};

/*
 * The identity of a file named name (its base name: the folder is not part of it) of
 * size bytes, whose first bytes are head[0, nhead) and last tail[0, ntail), each
 * min(size, CM_FILE_ID_EDGE) bytes (they overlap in a small file).
 */
void cm_file_id_make(struct cm_file_id *id, const char *name, size_t namelen, uint64_t size,
                     const void *head, size_t nhead, const void *tail, size_t ntail);
/* The same for a file read whole: path (its base name is taken) and its bytes p[0, len). */
void cm_file_id_of_bytes(struct cm_file_id *id, const char *path, const void *p, size_t len);
/* The base name of path: after its last '/'. */
const char *cm_file_id_base(const char *path);
/* The same for path[0, len), which need not end in a NUL: the base is path[ret, len). */
const char *cm_file_id_basen(const char *path, size_t len);

void cm_fileseen_init(struct cm_fileseen *s);
void cm_fileseen_finish(struct cm_fileseen *s);

/* Whether id is in the set (as loaded or last settled; not what was added since). */
bool cm_fileseen_has(const struct cm_fileseen *s, const struct cm_file_id *id);
/* Notes id as seen on day (read, or left out as read before). Returns 0 or CM_ENOMEM. */
int cm_fileseen_add(struct cm_fileseen *s, const struct cm_file_id *id, uint32_t day);
/*
 * Merges what was added (an identity's newest day stays), forgets what was not seen
 * since today - max_days, then keeps the max_n most recently seen (ties: the smaller
 * identities). Returns 0 or CM_ENOMEM (the set is then as before).
 */
int cm_fileseen_settle(struct cm_fileseen *s, uint32_t today, struct cm_fileseen_settled *out);

/* Writes the settled set: u32 version, u64 count, then each identity and day, sorted; then
 * the grown files (cm_filegrow_save). */
void cm_fileseen_save(const struct cm_fileseen *s, struct cm_ckpt_w *w);
/*
 * Reads what cm_fileseen_save wrote into s (empty), or what version 1 wrote (no grown
 * files). A count past what the bytes hold, identities out of order or repeated, and
 * grown files cm_filegrow_load refuses are refused (CM_EINVAL, CM_ETRUNC with r's
 * offset). Returns 0, or CM_EFORMAT when the layout is another version's: the caller
 * skips the bytes and starts with an empty set.
 */
int cm_fileseen_load(struct cm_fileseen *s, struct cm_ckpt_r *r);

#endif
