/*
 * The state file: what the detectors learned and what their windows hold at
 * the end of a scan, so the next scan goes on from there (DESIGN.md §5;
 * `coalmine scan --state FILE`; docs/internals/statefile.md).
 *
 * A file holds one engine checkpoint per shard (cm_engine_save), the names
 * of the inputs their evidence references cite, the identities of the input
 * files the scans that made it read whole (detect/fileseen.h), the shard hash seed and the
 * shard count (an entity's state is in the shard its key hashes to, so the
 * next run must use as many), behind a magic, a version, the writer's ABI
 * and ahead of a CRC-32 of everything before it. It is written to a
 * temporary file that is synced and renamed over the old one, so a crash
 * leaves the old state or the new, never half of one.
 *
 * Evidence references: an input of an earlier run is file_id
 * CM_STATE_RESTORED | k, k its index in the file's name table
 * (cm_statefile_name); the current run's inputs keep their own ids.
 */
#ifndef CM_CORE_STATEFILE_H
#define CM_CORE_STATEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/str.h"
#include "detect/ckpt.h"
#include "detect/detect.h"
#include "detect/fileseen.h"

#define CM_STATE_RESTORED 0x80000000u

struct cm_map;

struct cm_statefile {
    /* read (cm_statefile_read) */
    unsigned char *data; /* the whole file, owned, until every shard is loaded; else NULL */
    size_t len;
    uint64_t seed;
    unsigned nshards;
    int64_t saved_ms;     /* wall clock of the write */
    struct cm_str *names; /* inputs of earlier runs, into name_bytes */
    char *name_bytes;     /* the names' bytes, owned (they outlive data) */
    uint32_t nnames;
    size_t *shard_at, *shard_end; /* each shard's engine checkpoint: data[at, end) */
    bool *loaded;                 /* per shard: cm_statefile_load_engine took it */
    uint32_t version;             /* the file's format version */
    /* The input files earlier scans read whole (read), and what this scan adds before
     * cm_statefile_write saves it (the caller settles it first: cm_fileseen_settle). */
    struct cm_fileseen files;
    bool files_reset; /* the file held no identities this build reads (version 1, another
                         layout): every file given is read */
    unsigned nloaded;
    char dropped[256]; /* detectors the file's state did not fit: started afresh */
    /* written (cm_statefile_save_engine, cm_statefile_write) */
    struct cm_ckpt_w *out; /* one per shard */
    unsigned nout;
    struct cm_map *ids; /* a reference's file_id -> its index in raw */
    uint32_t *raw;      /* the file_ids the written references cite, in order */
    uint32_t nraw, capraw;
    uint64_t written; /* bytes of the last cm_statefile_write */
    const char *path; /* for messages */
    char err[512];    /* what went wrong */
    int lock_fd;      /* FILE.lock, locked while this scan may write FILE (cm_statefile_lock) */
    unsigned stale;   /* temporary files of killed writers removed (cm_statefile_lock) */
};

/* An empty state file object for path (borrowed). */
void cm_statefile_init(struct cm_statefile *sf, const char *path);
/* Frees what was read and saved, and lets go of the lock. */
void cm_statefile_free(struct cm_statefile *sf);

/*
 * Locks FILE.lock (created beside FILE, left there) for a scan that will write FILE, before
 * FILE is read: two scans writing the same state would each carry on from what it held
 * before the other, and the last to finish would throw the other's learning away. The
 * lock is an advisory fcntl() write lock, held until cm_statefile_free or the process
 * ends (however it ends, so a killed scan leaves no stale lock). Once it holds the lock,
 * removes the temporary files a writer of FILE killed while writing it left beside it
 * (".NAME.XXXXXX", cm_statefile_write's; sf->stale counts them). Returns 0, or CM_EEXIST
 * when another process holds it (sf->err names it by pid) or CM_EIO (sf->err says why).
 */
int cm_statefile_lock(struct cm_statefile *sf);

/*
 * Reads path. Returns 0, CM_ENOTFOUND when there is no such file (a first
 * run), or an error with sf->err saying where and why (CM_EIO, CM_EFORMAT:
 * not a state file or written by another build's ABI, CM_EINVAL: damaged).
 */
int cm_statefile_read(struct cm_statefile *sf);

/*
 * Loads shard i's checkpoint into e (fresh), once. When every shard is loaded the file's
 * bytes are freed (the names stay): a scan does not carry a copy of the state it loaded
 * alongside the tables it loaded it into. Returns 0 or an error with sf->err.
 */
int cm_statefile_load_engine(struct cm_statefile *sf, unsigned shard, struct cm_engine *e);

/* Prepares to save nshards engines; returns 0 or CM_ENOMEM. */
int cm_statefile_begin_save(struct cm_statefile *sf, unsigned nshards, uint64_t seed);
/* Saves e as shard i (call in any order, one at a time). Returns 0 or an error. */
int cm_statefile_save_engine(struct cm_statefile *sf, unsigned shard, const struct cm_engine *e);

/*
 * Writes what was saved to sf->path, atomically. input_path names the
 * current run's input file_id. Returns 0 or an error with sf->err.
 */
int cm_statefile_write(struct cm_statefile *sf,
                       const char *(*input_path)(const void *ud, uint32_t id), const void *ud);

/*
 * What was saved becomes what is read, in memory, for a next run of the same process
 * (`scan --follow`: one run per poll, no file read back): the bytes cm_statefile_write
 * would write are composed and read as cm_statefile_read reads a file, the names of the
 * inputs the saved references cite taken along (input_path names the run's inputs), and
 * the writers made ready for the next save. The lock stays held. On error (sf->err says
 * why) sf is as it was. Returns 0, CM_ENOMEM or CM_EINVAL.
 */
int cm_statefile_carry(struct cm_statefile *sf,
                       const char *(*input_path)(const void *ud, uint32_t id), const void *ud);

/* The name of an earlier run's input (file_id with CM_STATE_RESTORED), or NULL. */
const char *cm_statefile_name(const struct cm_statefile *sf, uint32_t file_id, size_t *len);

#endif
