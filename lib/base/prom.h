/*
 * The Prometheus text exposition format (version 0.0.4), written into a
 * buffer: a family's "# HELP" and "# TYPE" lines and its samples,
 * name{label="value",...} value, label values escaped as the format says
 * (backslash, double quote and newline). The one writer of /metrics
 * (src/api/api_metrics.c, src/cli/serve_status.c) and of the node_exporter
 * textfile of `coalmine scan --metrics` (src/cli/scan_metrics.c).
 */
#ifndef CM_BASE_PROM_H
#define CM_BASE_PROM_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* One label of a sample: value is len bytes (not NUL-terminated necessarily). */
struct cm_prom_label {
    const char *name;
    const char *value;
    size_t len;
};

/* A label from a NUL-terminated value. */
struct cm_prom_label cm_prom_label(const char *name, const char *value);

/* "# HELP name help\n# TYPE name type\n". Returns 0 or the buffer's error. */
int cm_prom_family(struct cm_buf *b, const char *name, const char *type, const char *help);

/* v[0..n) escaped as a label value. Returns 0 or the buffer's error. */
int cm_prom_escape(struct cm_buf *b, const char *v, size_t n);

/* name{l[0],...} value\n (name value\n without labels); value is the sample's text. */
int cm_prom_sample(struct cm_buf *b, const char *name, const struct cm_prom_label *l, size_t nl,
                   const char *value);

/* The same with an integer value. */
int cm_prom_sample_u64(struct cm_buf *b, const char *name, const struct cm_prom_label *l, size_t nl,
                       uint64_t v);
int cm_prom_sample_i64(struct cm_buf *b, const char *name, const struct cm_prom_label *l, size_t nl,
                       int64_t v);

#endif
