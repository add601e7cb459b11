/*
 * `coalmine scan --state FILE [--final]`: detector state carried from one
 * scan to the next (src/core/statefile.h; docs/internals/statefile.md).
 *
 * With --state, a scan loads FILE when it exists (what the detectors had
 * learned, the windows they had open, the watermark), runs with as many
 * shards as the file has, and at the end leaves the windows open and writes
 * FILE again, after its findings are stored: scanning a day's logs at a time
 * finds what scanning them all at once finds. --final closes every window
 * at the end, as a scan without --state does, and leaves FILE as it was.
 *
 * FILE also remembers the input files the scans read whole (detect/fileseen.h): a later
 * scan leaves them out unread, counted as skipped ("read by an earlier scan"); --reread
 * reads them again (and remembers them again).
 */
#ifndef CM_CLI_SCAN_STATE_H
#define CM_CLI_SCAN_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/scan.h"
#include "core/statefile.h"

/* getopt codes (long options only), after scan_inventory.h's. */
enum { CM_SCAN_OPT_STATE = 0x170, CM_SCAN_OPT_FINAL, CM_SCAN_OPT_NO_ROUTE, CM_SCAN_OPT_REREAD };

struct cm_scan_state {
    const char *path; /* --state; NULL: none */
    bool final;       /* --final */
    bool reread;      /* --reread: read the files FILE remembers as read, too */
    bool loaded;      /* the file existed and was read */
    bool opened;      /* sf was set up (cm_scan_state_open): close frees it and its lock */
    bool memory;      /* no FILE: the state is carried in memory only (cm_scan_state_memory) */
    struct cm_statefile sf;
    struct cm_engine_hooks hooks;
    size_t nread;                      /* files this scan read whole (written) */
    size_t nresumed;                   /* ... read from where an earlier one left off (grown) */
    struct cm_fileseen_settled forgot; /* identities forgotten when written */
};

/* Takes --state, --final or --reread. Returns 0. */
int cm_scan_state_option(struct cm_scan_state *ss, int opt, const char *arg);

/*
 * Reads the file (when it exists) and sets o->state and o->threads (the
 * file's shard count; a different --threads is overridden, with a note
 * unless quiet). Returns 0, or an error with err saying where and why.
 */
int cm_scan_state_open(struct cm_scan_state *ss, struct cm_scan_opts *o, bool quiet, char *err,
                       size_t errlen);

/*
 * Writes the state after a scan that ran (not with --final), with the identities of the
 * files it read whole or left out as read before, seen today (wall clock). Returns 0 or an
 * error with err.
 */
int cm_scan_state_write(struct cm_scan_state *ss, const struct cm_scan_stats *st, bool quiet,
                        char *err, size_t errlen);

/*
 * For `scan --follow` without --state: the state carried from poll to poll in memory only
 * (nothing read or written, no lock). Sets o->state and o->threads as cm_scan_state_open
 * does. Returns 0 or an error with err.
 */
int cm_scan_state_memory(struct cm_scan_state *ss, struct cm_scan_opts *o, char *err,
                         size_t errlen);

/*
 * After one run of `scan --follow` (hooks saving): the identities of the files it read
 * noted (as cm_scan_state_write notes them), then, with write and a FILE, FILE written (a
 * checkpoint), and the saved state carried to the next run in memory (cm_statefile_carry):
 * o->state loads it and o->files_seen leaves out the files read. Returns 0 or an error
 * with err.
 */
int cm_scan_state_carry(struct cm_scan_state *ss, const struct cm_scan_stats *st, bool write,
                        struct cm_scan_opts *o, char *err, size_t errlen);

/* The wall-clock day (since 1970-01-01 UTC) file identities are noted and aged in. */
uint32_t cm_scan_state_today(void);

/*
 * Notes a file still there and read before as seen on day: its identity, and the longest
 * resume point of a plain log of its base name and size (a follow's daily note, so
 * neither is forgotten while the file stays). path[0, pathlen) need not end in a NUL.
 * Returns 0 or CM_ENOMEM.
 */
int cm_scan_state_renew(struct cm_scan_state *ss, const char *path, size_t pathlen, uint64_t size,
                        const struct cm_file_id *id, uint32_t day);

/* The name of an earlier run's input cited by evidence, or NULL. */
const char *cm_scan_state_name(const struct cm_scan_state *ss, uint32_t file_id, size_t *len);

void cm_scan_state_close(struct cm_scan_state *ss);

#endif
