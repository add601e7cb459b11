/*
 * The list of inputs of a batch scan: files found under the paths given
 * (directories are walked recursively), each with the time in its object
 * key when it follows an AWS delivery layout, sorted into event-time order.
 * Hidden entries (names starting with '.') and CloudTrail-Digest folders are
 * skipped: digests are signatures, not records.
 */
#ifndef CM_SOURCE_INPUT_H
#define CM_SOURCE_INPUT_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/str.h"

struct cm_input {
    char *path;          /* owned */
    int64_t key_ms;      /* time from the object key or first record, INT64_MIN when none,
                            INT64_MAX for a file of look-up events too long to tell */
    uint64_t size;       /* bytes on disk */
    int is_stdin;        /* the "-" input */
    const char *other;   /* found in a directory and not a regular file (a FIFO, a device, a
                            socket, a directory that cannot be listed): what it is; the scan
                            rejects it unread. NULL for a file */
    int list_errno;      /* for a directory that cannot be listed: why (an errno), else 0 */
    const char *skip_as; /* found under a CloudTrail-Digest/ folder in a walk: never read,
                            the scan counts it as skipped under this name. NULL otherwise */
    uint64_t dev, ino;   /* the file's identity; 0, 0 when unknown (stdin, a dangling link) */
    uint32_t arg;        /* which of the paths given it was found under */
    bool named;          /* key_ms is the stamp of an AWS object key (not a first record's) */
    bool s3;             /* an S3 object (path "s3://bucket/key"; input_s3.h), not a file */
    char *etag;          /* an S3 object's ETag as listed, quotes kept (owned); NULL for a file */
};

/*
 * How far after its object key's stamp an input's records can plausibly go:
 * AWS names a delivery after it is written (CloudTrail, within minutes of
 * its events; flow logs and Resolver logs, by the delivery window), so a day
 * leaves room for skewed clocks and late deliveries. A record past it (a
 * clock set years ahead) is still analysed but does not move the detectors'
 * clock (cm_engine_set_horizon).
 */
#define CM_INPUT_HORIZON_MS (24LL * 3600 * 1000)

/* The latest event time input in vouches for: its stamp plus a day when named, else none. */
int64_t cm_input_horizon(const struct cm_input *in);

/*
 * How far after its object key's stamp an input's records move the detectors'
 * clock: AWS delivers CloudTrail every 5 minutes, flow logs and Resolver logs
 * by windows of 5 to 10 minutes. Inputs come in the order of their stamps, so
 * the inputs still to come hold nothing much older than this input's stamp;
 * a record further ahead is analysed, but the watermark waits for the later
 * inputs (cm_engine_set_horizon).
 */
#define CM_INPUT_CLOCK_SLACK_MS (15LL * 60 * 1000)

/* The engine's horizon for input in: its stamp plus the slack when named, else none. */
int64_t cm_input_clock_bound(const struct cm_input *in);

struct cm_inputs {
    struct cm_input *v;
    size_t n, cap;
    size_t repeated;       /* paths left out for naming a file listed already */
    size_t hidden;         /* hidden entries (".name", files or folders) left out in the walk */
    const char *cur_skip;  /* while collecting: the skip_as of what is found (a digest folder) */
    struct cm_s3_conn *s3; /* while collecting: lists s3:// paths and peeks at objects */
    uint32_t cur_arg;      /* while collecting: the path given being walked */
};

/*
 * Collects the inputs under paths[0..n) and sorts them by (time, path). A file is listed
 * once however many paths lead to it (a directory and a file inside it, the same path
 * twice, hard and symbolic links: the same device and inode), under the first path
 * given that leads to it (the smallest path of those under it); the others are counted
 * in repeated. The
 * time is the stamp in an AWS object key when the name has one, else the
 * event time of the file's first record (cm_peek_first_time); inputs with
 * neither come first, by path; `aws cloudtrail lookup-events` output whose
 * oldest record is not in its first window (it comes newest first) last. "-" means standard input
 * and is kept first. Hidden entries found in a walk (".name") are left out and counted in hidden;
 * the files under a CloudTrail-Digest/ folder are kept, last, with skip_as set, so the scan
 * counts them as skipped without reading them. An entry found inside a directory that cannot be
 * stat'ed (a dangling link) is kept, so the scan reports it as unreadable; one that is neither a
 * file nor a directory (a FIFO, a device, a socket) is kept with `other` naming it, never opened (a
 * FIFO would block, a device never end), so the scan reports it as not read; so is a directory
 * inside that cannot be listed (no permission), with list_errno saying why, and the rest is still
 * read. Returns 0, CM_ENOMEM, or CM_EIO when a path given in paths cannot be read (a file that
 * cannot be opened, a directory that cannot be listed) or is neither a file nor a directory (err
 * names it and why).
 */
/*
 * The region in an AWS delivery key: a slice of path, or an empty slice when
 * the path has none. Default-format flow records carry no region; this is
 * where theirs comes from. Read from, in this order: the folder after the
 * service's ("AWSLogs/<account>/vpcflowlogs/<region>/...", ".../CloudTrail/
 * <region>/..."); a Hive-compatible prefix's "aws-region=<region>" folder;
 * the object's name ("<account>_vpcflowlogs_<region>_<flow log>_<stamp>_
 * <hash>.log.gz"), so a key under any prefix still names its region.
 */
struct cm_str cm_input_key_region(const char *path);

/*
 * The account in an AWS delivery key: a slice of path, or an empty slice when
 * the path has none. Flow records of a custom format without account-id carry
 * no account; this is where theirs comes from. Read from, in this order: the
 * folder after "AWSLogs/" ("AWSLogs/<account>/vpcflowlogs/...", an
 * organization trail's "AWSLogs/<org id>/<account>/CloudTrail/..."); a
 * Hive-compatible prefix's "aws-account-id=<account>" folder; the object's
 * name ("<account>_vpcflowlogs_<region>_...", "<account>_CloudTrail_...").
 */
struct cm_str cm_input_key_account(const char *path);

/*
 * The VPC in a Route 53 Resolver query log's delivery key: a slice of path,
 * or an empty slice when the path has none. Resolver records whose vpc_id was
 * trimmed carry none; this is where theirs comes from. Read from the folder
 * after the service's ("AWSLogs/<account>/vpcdnsquerylogs/<vpc id>/...") or
 * the object's name ("<vpc id>_vpcdnsquerylogs_<account>_<stamp>_<hash>.log.gz"),
 * else, for a CloudWatch Logs export task's object ("<task>/<log stream>/
 * 000000.gz"), the log stream's name, which Resolver starts with the VPC's id
 * (cm_cwl_stream_vpc); only a well-formed id ("vpc-" and 8 or 17 lower-case
 * hex digits).
 */
struct cm_str cm_input_key_vpc(const char *path);

int cm_inputs_collect(struct cm_inputs *in, char *const *paths, size_t n, char *err, size_t errlen);

struct cm_flow_format;
struct cm_s3_conn;

/* An S3 object as listed: "s3://bucket/key", its size and ETag. */
struct cm_input_listed {
    const char *url;
    uint64_t size;
    const char *etag;
};

/*
 * How inputs are collected: the flow fields for peeking at header-less flow lines
 * (cm_peek_first_time_with), and the S3 connection "s3://bucket[/prefix]" paths are
 * listed through (input_s3.h; NULL: such a path is an error).
 */
struct cm_inputs_opts {
    const struct cm_flow_format *flow_fields;
    struct cm_s3_conn *s3;
    /* S3 objects listed already (a follow's poll, core/follow_s3.h): inputs as their
     * location's listing makes them, with no LIST; after the paths. */
    const struct cm_input_listed *listed;
    size_t nlisted;
};

/*
 * cm_inputs_collect, with S3 locations among the paths: every object under one becomes
 * an input as a file found in a walk does (input_s3.h), in the same order.
 */
int cm_inputs_collect_opts(struct cm_inputs *in, char *const *paths, size_t n,
                           const struct cm_inputs_opts *o, char *err, size_t errlen);

/* The same, peeking with the user's fields for header-less flow lines (cm_peek_first_time_with). */
int cm_inputs_collect_with(struct cm_inputs *in, char *const *paths, size_t n,
                           const struct cm_flow_format *flow_fields, char *err, size_t errlen);
void cm_inputs_free(struct cm_inputs *in);

#endif
