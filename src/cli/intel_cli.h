/*
 * What the `coalmine intel` subcommands share across cmd_intel.c (the
 * command table, option parsing, opening the config, list, add, remove,
 * check, stats) and cmd_intel_update.c (update, and the row printer below):
 * the parsed options, opening the intel config, and the output of rows as a
 * table or as one JSON document.
 *
 * Helpers report errors as "coalmine intel: <why>" on stderr and return an
 * exit status (CM_EXIT_*), or a value noted.
 */
#ifndef CM_CLI_INTEL_CLI_H
#define CM_CLI_INTEL_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/json.h"
#include "intel/feed_update.h"
#include "intel/intel_config.h"

#define CM_INTEL_CMD "coalmine intel"

/* Which options a subcommand takes besides --intel-dir, --format and --help. */
#define CM_INTEL_ALLOW_ADD    1u /* --url --kind --category --list-format --allow-bad */
#define CM_INTEL_ALLOW_UPDATE 2u /* --max-bytes --connect-timeout --max-time */

struct cm_intel_cli_opts {
    const char *intel_dir; /* --intel-dir; NULL: the default */
    bool json;             /* --format json */
    struct cm_intel_add add;
    const char *kind; /* --kind as given; NULL: not given */
    struct cm_feed_opts feed;
};

/*
 * Parses argv (argv[0]: the subcommand) into *o, with nmin..nmax positional
 * arguments from optind; allow: CM_INTEL_ALLOW_* bits; help: the
 * subcommand's usage and options (the common ones are added). Returns 0, 1
 * (--help printed) or CM_EXIT_USAGE (reported).
 */
int cm_intel_cli_parse(int argc, char **argv, struct cm_intel_cli_opts *o, unsigned allow, int nmin,
                       int nmax, const char *help);

/*
 * Opens the config of o->intel_dir (and takes its lock for a change).
 * Returns CM_EXIT_OK or CM_EXIT_ERROR (reported); c must be freed either way.
 */
int cm_intel_cli_open(struct cm_intel_config *c, const struct cm_intel_cli_opts *o, bool lock);

/*
 * Takes the lock of c's intel directory (creating the directory) and reloads its
 * registry, for a change decided on after cm_intel_cli_open(c, o, false).
 * Returns CM_EXIT_OK or CM_EXIT_ERROR (reported).
 */
int cm_intel_cli_lock(struct cm_intel_config *c);

/* `coalmine intel update` (cmd_intel_update.c). */
int cm_intel_update(int argc, char **argv);

/* ---- output (cmd_intel_update.c) ---- */

/*
 * Output: rows of columns, as a table (a header, then one line per row) or
 * as one JSON document (rows are objects in the array member `rows` names).
 */
struct cm_intel_col {
    const char *key;  /* JSON member */
    const char *head; /* table header; NULL: JSON only */
    int width;        /* table column width (0: the last column) */
    bool raw;         /* JSON: the value is JSON text (a number, true, false) */
};

struct cm_intel_out {
    bool json;
    struct cm_buf b;
    struct cm_jw jw;
    const struct cm_intel_col *cols;
    size_t ncols;
};

/* Starts the output (JSON: opens the document's object). */
void cm_intel_out_begin(struct cm_intel_out *o, bool json, const struct cm_intel_col *cols,
                        size_t ncols);

/* JSON: a string member (null for NULL). */
void cm_intel_out_str(struct cm_intel_out *o, const char *k, const char *v);

/* JSON: a number member. */
void cm_intel_out_u64(struct cm_intel_out *o, const char *k, uint64_t v);

/* Starts the rows: the JSON array member rows, or the table's header. */
void cm_intel_out_rows(struct cm_intel_out *o, const char *rows);

/* One row: v[i] is column i's value (NULL: null, "-" in a table). */
void cm_intel_out_row(struct cm_intel_out *o, const char *const *v);

/*
 * Ends the rows (when rows) and the document; prints the JSON. Returns
 * CM_EXIT_OK or CM_EXIT_ERROR (reported).
 */
int cm_intel_out_end(struct cm_intel_out *o, bool rows);

/* A number as text for a row (buf: at least 24 bytes). Returns buf. */
const char *cm_intel_out_num(uint64_t v, char *buf);

#endif
