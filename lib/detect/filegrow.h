/*
 * Where a later scan resumes a plain log that grew (`coalmine scan --state`, follow;
 * docs/internals/statefile.md, "A file that grew"). A file's identity (fileseen.h) covers
 * its size, so a plain log appended to after a scan read it is another file; before
 * 2026-12-06 it was read again whole and every record it held was counted again (flow and
 * Resolver records carry no id). For each plain, line-based file read, the scan notes
 * the end of its last whole line: the byte length, the lines before it and the identity
 * of the file cut there (cm_file_id_make of the first len bytes, as if the file were that
 * long). A later scan given a longer file of the same base name whose first len bytes
 * still have that identity reads only what follows (core/scan_grow.c).
 *
 * The set is a sorted array by name hash, then length (longest first); what is added is
 * merged by cm_filegrow_settle, which forgets entries not seen for max_days, those a
 * resume used (the file has a newer entry), and, past max_n, the least recently seen.
 * Memory: 56 bytes an entry (44 in the file). No I/O here.
 */
#ifndef CM_DETECT_FILEGROW_H
#define CM_DETECT_FILEGROW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cm_ckpt_w;
struct cm_ckpt_r;
struct cm_file_id;

/* Entries kept at most (14 MB in memory): past it, the least recently seen are forgotten. */
#define CM_FILEGROW_MAX (1u << 18)

struct cm_filegrow_ent {
    uint64_t name;       /* cm_filegrow_name of its base name */
    uint64_t len;        /* bytes to the end of its last whole line (> 0) */
    uint64_t lines;      /* lines in those bytes */
    uint64_t id_a, id_b; /* the identity (cm_file_id) of the file cut to len bytes */
    uint32_t day;        /* the wall-clock day it was noted or last used */
    bool used;           /* a resume read past it: forgotten at the next settle */
};

struct cm_filegrow {
    struct cm_filegrow_ent *v; /* v[0, nsorted) sorted; then added ones */
    size_t n, nsorted, cap;
};

/* The hash of a file's base name (name[0, len)). */
uint64_t cm_filegrow_name(const char *name, size_t len);

void cm_filegrow_init(struct cm_filegrow *g);
void cm_filegrow_finish(struct cm_filegrow *g);

/*
 * The sorted entries of name shorter than size, longest first: returns how many, *first
 * the first of them (the caller checks each against the file's bytes).
 */
size_t cm_filegrow_find(const struct cm_filegrow *g, uint64_t name, uint64_t size,
                        const struct cm_filegrow_ent **first);
/* Notes an entry. Returns 0 or CM_ENOMEM. */
int cm_filegrow_add(struct cm_filegrow *g, uint64_t name, uint64_t len, uint64_t lines,
                    const struct cm_file_id *id, uint32_t day);
/* Marks the sorted entry (name, len, id) used: a resume read past it. len <= INT64_MAX. */
void cm_filegrow_use(struct cm_filegrow *g, uint64_t name, uint64_t len,
                     const struct cm_file_id *id);
/*
 * Merges what was added (one of each name, len and identity: its newest day), forgets
 * the used ones and those not seen since today - max_days, then keeps the max_n most
 * recently seen. Returns how many were forgotten, or -1 (CM_ENOMEM: the set is as
 * before).
 */
long cm_filegrow_settle(struct cm_filegrow *g, uint32_t today, uint32_t max_days, size_t max_n);

/* Writes the settled set: u64 count, then each entry (u64 name, len, lines, id.a, id.b, u32 day).
 */
void cm_filegrow_save(const struct cm_filegrow *g, struct cm_ckpt_w *w);
/*
 * Reads what cm_filegrow_save wrote into g (empty). A count past what the bytes hold, a
 * length of 0 or past INT64_MAX (no file is that long: len + 1 never wraps), more lines
 * than bytes, or entries out of order or repeated are refused
 * (CM_ETRUNC, CM_EINVAL with r's offset). Returns 0 or the error.
 */
int cm_filegrow_load(struct cm_filegrow *g, struct cm_ckpt_r *r);

#endif
