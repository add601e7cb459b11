/*
 * Why an input gave no record (scan_impl.h): what a buffer no parser took
 * looks like, for its reject, and a 0-byte file named as compressed data.
 */
#include "core/scan.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "parse/cwl.h"
#include "parse/parse.h"
#include "source/decode.h"
#include "core/scan_impl.h"

/* NUL bytes in the first 512: not text. */
static int looks_binary(const char *p, size_t n)
{
    size_t m = n < 512 ? n : 512;
    return memchr(p, '\0', m) != NULL;
}

/* True when p[i..n) starts a line of five or more space-separated fields (flow records). */
static bool fields_line(const char *p, size_t n, size_t i)
{
    size_t spaces = 0;

    for (; i < n && p[i] != '\n'; i++) {
        if (p[i] == '\t' || p[i] == '{' || p[i] == '[') {
            return false;
        }
        if (p[i] == ' ' && ++spaces == 4) {
            return true;
        }
    }
    return false;
}

/* Why no parser took r->fb (why: room for a reason). */
const char *cm_scan_unrecognised(const struct reader *r, char *why, size_t cap)
{
    const char *p = r->fb->p, *what, *how = NULL;
    size_t n = r->fb->len, i;
    bool text;

    if ((what = cm_container_name(p, n, &how)) != NULL) {
        snprintf(why, cap, "%s, which coalmine does not read (gzip, zstd and plain text only): %s",
                 what, how);
        return why;
    }
    if (looks_binary(p, n)) {
        return "unrecognised format (binary data)";
    }
    i = cm_parse_skip_ws(p, n, 0);
    i += cm_parse_cwl_prefix(p, n, i);
    text = r->s->o.flow_fields == NULL && fields_line(p, n, i);
    if (r->unwrapped) {
        return text ? "CloudWatch Logs messages in an unrecognised format (not CloudTrail, VPC "
                      "Flow Logs or Resolver logs; flow logs in a custom format need --flow-fields)"
                    : "CloudWatch Logs messages in an unrecognised format (not CloudTrail, VPC "
                      "Flow Logs or Resolver logs)";
    }
    return text ? "unrecognised format (not CloudTrail, VPC Flow Logs or Resolver logs; flow log "
                  "lines with no header line in a custom format need --flow-fields)"
                : "unrecognised format (not CloudTrail, VPC Flow Logs or Resolver logs)";
}

/*
 * "gzip" when input file_id is a 0-byte file named "*.gz", "zstd" for "*.zst": no such
 * data is that short. NULL otherwise.
 */
const char *cm_scan_empty_packed(const struct scan *s, uint32_t file_id)
{
    const char *path = file_id < s->in.n ? s->in.v[file_id].path : NULL;
    size_t n = path != NULL ? strlen(path) : 0;

    if (path == NULL || s->in.v[file_id].size != 0) {
        return NULL;
    }
    if (n > 3 && strcmp(path + n - 3, ".gz") == 0) {
        return "gzip";
    }
    return n > 4 && strcmp(path + n - 4, ".zst") == 0 ? "zstd" : NULL;
}
