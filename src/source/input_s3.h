/*
 * S3 locations as scan inputs (docs/s3.md): "s3://bucket[/prefix]" is listed
 * with ListObjectsV2 and every object under it becomes an input as a file found
 * in a directory walk does (input.h): its path "s3://bucket/key", its size as
 * listed, the time in its key's name, its ETag (the identity --state remembers,
 * with the location and size). The key below the prefix's last '/' is the
 * walk's relative path: a part starting with '.' is hidden (left out, counted
 * once per hidden entry), objects under a CloudTrail-Digest/ part are kept to be
 * counted as skipped unread, and folder markers (keys ending in '/') are no
 * inputs. Nothing is read here but the listing, and the first 64 KiB of an
 * object whose name holds no time (to place it by its first record).
 */
#ifndef CM_SOURCE_INPUT_S3_H
#define CM_SOURCE_INPUT_S3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "detect/fileseen.h"
#include "source/input.h"

struct cm_flow_format;

/* Whether path is an S3 location ("s3://..."). */
bool cm_input_is_s3(const char *path);

/*
 * Adds every object under url through in->s3. Returns 0, or CM_EIO with err
 * ("s3://bucket/prefix: NoSuchBucket: ... (HTTP 404)", or no S3 connection), or
 * CM_ENOMEM.
 */
int cm_inputs_add_s3(struct cm_inputs *in, const char *url, char *err, size_t errlen);

/*
 * Adds an object listed already (a follow's poll) as its listing would (on_object): its
 * path, size and ETag; under a CloudTrail-Digest/ folder it is counted as skipped. Returns
 * 0, CM_EINVAL (not "s3://bucket/key") or CM_ENOMEM.
 */
int cm_input_s3_add_listed(struct cm_inputs *in, const struct cm_input_listed *o);

/* The time of object it's first record (cm_peek_first_time_bytes on its first 64 KiB). */
int cm_input_s3_peek(const struct cm_inputs *in, const struct cm_input *it,
                     const struct cm_flow_format *flow_fields, int64_t *ms);

/*
 * The identity --state remembers for S3 object it (detect/fileseen.h): its location,
 * size and ETag, known from the listing, so an object read before is left out with no
 * GET at all. (A file's identity is of its bytes; an object's is of its location: the
 * same object copied elsewhere is read again.)
 */
void cm_input_s3_id(const struct cm_input *it, struct cm_file_id *id);

/*
 * Splits an S3 input's path "s3://bucket/key" into bucket (cap 64) and *key (a pointer
 * into path). Returns 0 or CM_EINVAL.
 */
int cm_input_s3_split(const char *path, char bucket[64], const char **key);

/* Adds one input (input.c's; st NULL for none). Returns 0 or CM_ENOMEM. */
int cm_inputs_add(struct cm_inputs *in, const char *path, const struct stat *st, int is_stdin);

#endif
