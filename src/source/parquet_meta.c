/*
 * A Parquet file's footer: "PAR1", the pages, the FileMetaData (Thrift compact),
 * its length as 4 bytes little-endian, "PAR1". Of it this reads the schema
 * (which must be flat: one level of INT32, INT64 or BYTE_ARRAY leaves) and,
 * per row group, its rows and where each column's pages are.
 */
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "parse/parse.h"
#include "source/parquet_impl.h"
#include "source/thrift.h"

static const char *const codec_names[] = {"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO",
                                          "BROTLI",       "LZ4",    "ZSTD", "LZ4_RAW"};
static const char *const type_names[] = {"BOOLEAN", "INT32",  "INT64",      "INT96",
                                         "FLOAT",   "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"};

const char *pq_codec_name(int c)
{
    return c >= 0 && c < (int)(sizeof(codec_names) / sizeof(codec_names[0])) ? codec_names[c]
                                                                             : "an unknown codec";
}

/* One SchemaElement, as far as it matters here. */
struct elem {
    char name[PQ_NAME_MAX];
    int64_t type, rep, children;
};

struct reader {
    struct cm_thrift t;
    const uint8_t *base; /* the file, for offsets in errors */
    struct pq_meta *m;
    struct elem *el;
    uint32_t nel;
    char *why;
    size_t cap;
    uint64_t *off;
};

static int fail(struct reader *r, const char *msg)
{
    snprintf(r->why, r->cap, "%s", msg);
    *r->off = (uint64_t)(r->t.p - r->base);
    return CM_EFORMAT;
}

static int thrift_fail(struct reader *r, int rc)
{
    return fail(r, rc == CM_ETRUNC ? "Parquet metadata cut short"
                                   : "Parquet metadata damaged (not Thrift's compact protocol)");
}

static int read_elem(struct reader *r, struct elem *e)
{
    struct cm_thrift_struct s = {0};
    int16_t id;
    int type, rc;

    e->name[0] = '\0';
    e->type = -1;
    e->rep = 0;
    e->children = 0;
    for (;;) {
        if ((rc = cm_thrift_field(&r->t, &s, &id, &type)) != 0) {
            return thrift_fail(r, rc);
        }
        if (type == CM_THRIFT_STOP) {
            return CM_OK;
        }
        if (id == 4 && type == CM_THRIFT_BINARY) {
            const uint8_t *p;
            size_t n;

            if ((rc = cm_thrift_binary(&r->t, &p, &n)) != 0) {
                return thrift_fail(r, rc);
            }
            if (n == 0 || n >= sizeof(e->name) || memchr(p, '\0', n) != NULL) {
                return fail(r, "Parquet column with an empty or over-long name");
            }
            memcpy(e->name, p, n);
            e->name[n] = '\0';
            continue;
        }
        if ((id == 1 || id == 3 || id == 5) && type == CM_THRIFT_I32) {
            int64_t v;

            if ((rc = cm_thrift_int(&r->t, type, &v)) != 0) {
                return thrift_fail(r, rc);
            }
            *(id == 1 ? &e->type : id == 3 ? &e->rep : &e->children) = v;
            continue;
        }
        if ((rc = cm_thrift_skip(&r->t, type, 2)) != 0) {
            return thrift_fail(r, rc);
        }
    }
}

static int read_schema(struct reader *r)
{
    int elem, rc;
    uint32_t n;

    if ((rc = cm_thrift_list(&r->t, &elem, &n)) != 0) {
        return thrift_fail(r, rc);
    }
    if (elem != CM_THRIFT_STRUCT || n < 2) {
        return fail(r, "Parquet schema without columns");
    }
    if (n > PQ_MAX_COLUMNS + 1) {
        return fail(r, "Parquet schema of more than 128 columns (a flow log has at most 42)");
    }
    cm_free(r->el);
    r->el = cm_calloc(n, sizeof(*r->el));
    if (r->el == NULL) {
        return CM_ENOMEM;
    }
    r->nel = n;
    for (uint32_t i = 0; i < n; i++) {
        if ((rc = read_elem(r, &r->el[i])) != 0) {
            return rc;
        }
    }
    return CM_OK;
}

/* Checks the schema read and makes the columns. */
static int make_columns(struct reader *r)
{
    struct pq_meta *m = r->m;
    char msg[160];

    if (r->el[0].children != (int64_t)r->nel - 1) {
        return fail(r, "Parquet schema with nested columns (a flow log's are flat)");
    }
    for (uint32_t i = 1; i < r->nel; i++) {
        const struct elem *e = &r->el[i];
        struct pq_col *c = &m->cols[i - 1];

        if (e->name[0] == '\0') {
            return fail(r, "Parquet column without a name");
        }
        if (e->children != 0 || e->rep == 2) {
            snprintf(msg, sizeof(msg), "Parquet column '%s' is %s (a flow log's columns are flat)",
                     e->name, e->children != 0 ? "a group" : "repeated");
            return fail(r, msg);
        }
        for (size_t k = 0; e->name[k]; k++) {
            c->name[k] = e->name[k] == '_' ? '-' : e->name[k];
            c->name[k + 1] = '\0';
        }
        c->type = (int)e->type;
        c->optional = e->rep == 1;
        if (cm_flow_field_by_name((struct cm_str){c->name, strlen(c->name)}) < 0) {
            continue; /* not a flow log field: left out of the text */
        }
        if (e->type != PQ_INT32 && e->type != PQ_INT64 && e->type != PQ_BYTE_ARRAY) {
            snprintf(msg, sizeof(msg),
                     "Parquet column '%s' is of type %s (a flow log's are INT32, INT64 or "
                     "BYTE_ARRAY)",
                     e->name,
                     e->type >= 0 && e->type <= PQ_FIXED_LEN_BYTE_ARRAY ? type_names[e->type]
                                                                        : "unknown");
            return fail(r, msg);
        }
        m->out[m->nout++] = i - 1;
    }
    m->ncols = r->nel - 1;
    if (m->nout == 0) {
        size_t at = 0;

        at += (size_t)snprintf(msg, sizeof(msg),
                               "Parquet file without a VPC Flow Logs column (its columns:");
        for (uint32_t i = 1; i < r->nel && at < sizeof(msg); i++) {
            at += (size_t)snprintf(msg + at, sizeof(msg) - at, " %s", r->el[i].name);
        }
        if (at < sizeof(msg)) {
            snprintf(msg + at, sizeof(msg) - at, ")");
        }
        return fail(r, msg);
    }
    return CM_OK;
}

static int read_i64(struct reader *r, int type, int64_t *v)
{
    int rc = cm_thrift_int(&r->t, type, v);

    return rc != 0 ? thrift_fail(r, rc) : CM_OK;
}

/* ColumnMetaData of column i. */
static int read_colmeta(struct reader *r, uint32_t i, struct pq_chunk *ch)
{
    struct cm_thrift_struct s = {0};
    int64_t data_off = -1, dict_off = -1, size = -1, type = -1, v;
    int16_t id;
    int ft, rc;
    char msg[200];

    ch->codec = -1;
    for (;;) {
        if ((rc = cm_thrift_field(&r->t, &s, &id, &ft)) != 0) {
            return thrift_fail(r, rc);
        }
        if (ft == CM_THRIFT_STOP) {
            break;
        }
        if (id == 3 && ft == CM_THRIFT_LIST) {
            int elem;
            uint32_t n;
            const uint8_t *p;
            size_t len;

            if ((rc = cm_thrift_list(&r->t, &elem, &n)) != 0) {
                return thrift_fail(r, rc);
            }
            if (elem != CM_THRIFT_BINARY || n != 1) {
                return fail(r, "Parquet column chunk of a nested column");
            }
            if ((rc = cm_thrift_binary(&r->t, &p, &len)) != 0) {
                return thrift_fail(r, rc);
            }
            if (len != strlen(r->el[i + 1].name) || memcmp(p, r->el[i + 1].name, len) != 0) {
                return fail(r, "Parquet row group's columns are not in the schema's order");
            }
            continue;
        }
        if ((id == 1 || id == 4 || id == 5 || id == 7 || id == 9 || id == 11) &&
            (ft == CM_THRIFT_I32 || ft == CM_THRIFT_I64)) {
            if ((rc = read_i64(r, ft, &v)) != 0) {
                return rc;
            }
            if (id == 1) {
                type = v;
            } else if (id == 4) {
                ch->codec = (int)v;
            } else if (id == 5) {
                ch->values = v;
            } else if (id == 7) {
                size = v;
            } else if (id == 9) {
                data_off = v;
            } else {
                dict_off = v;
            }
            continue;
        }
        if ((rc = cm_thrift_skip(&r->t, ft, 3)) != 0) {
            return thrift_fail(r, rc);
        }
    }
    if (type != r->m->cols[i].type) {
        return fail(r, "Parquet column chunk of another type than its column");
    }
    if (ch->codec != PQ_UNCOMPRESSED && ch->codec != PQ_SNAPPY && ch->codec != PQ_GZIP &&
        ch->codec != PQ_ZSTD) {
        snprintf(msg, sizeof(msg),
                 "Parquet column chunk compressed with %s, which coalmine does not read "
                 "(UNCOMPRESSED, SNAPPY, GZIP and ZSTD only)",
                 pq_codec_name(ch->codec));
        return fail(r, msg);
    }
    if (dict_off > 0 && dict_off < data_off) {
        data_off = dict_off; /* the dictionary page comes first */
    }
    if (data_off < 4 || size <= 0 || ch->values < 0) {
        return fail(r, "Parquet column chunk without its pages' place");
    }
    ch->start = (uint64_t)data_off;
    ch->size = (uint64_t)size;
    return CM_OK;
}

static int read_chunk(struct reader *r, uint32_t i, struct pq_chunk *ch)
{
    struct cm_thrift_struct s = {0};
    bool meta = false;
    int16_t id;
    int ft, rc;

    for (;;) {
        if ((rc = cm_thrift_field(&r->t, &s, &id, &ft)) != 0) {
            return thrift_fail(r, rc);
        }
        if (ft == CM_THRIFT_STOP) {
            break;
        }
        if (id == 1 && ft == CM_THRIFT_BINARY) {
            return fail(r, "Parquet column chunk kept in another file");
        }
        if (id == 3 && ft == CM_THRIFT_STRUCT) {
            if ((rc = read_colmeta(r, i, ch)) != 0) {
                return rc;
            }
            meta = true;
            continue;
        }
        if ((rc = cm_thrift_skip(&r->t, ft, 2)) != 0) {
            return thrift_fail(r, rc);
        }
    }
    return meta ? CM_OK : fail(r, "Parquet column chunk without its metadata");
}

static int read_group(struct reader *r, struct pq_group *g, struct pq_chunk *chunks)
{
    struct cm_thrift_struct s = {0};
    bool cols = false;
    int16_t id;
    int ft, rc;

    g->rows = -1;
    g->chunks = chunks;
    for (;;) {
        if ((rc = cm_thrift_field(&r->t, &s, &id, &ft)) != 0) {
            return thrift_fail(r, rc);
        }
        if (ft == CM_THRIFT_STOP) {
            break;
        }
        if (id == 1 && ft == CM_THRIFT_LIST) {
            int elem;
            uint32_t n;

            if ((rc = cm_thrift_list(&r->t, &elem, &n)) != 0) {
                return thrift_fail(r, rc);
            }
            if (elem != CM_THRIFT_STRUCT || n != r->m->ncols) {
                return fail(r, "Parquet row group with another number of columns than the schema");
            }
            for (uint32_t i = 0; i < n; i++) {
                if ((rc = read_chunk(r, i, &chunks[i])) != 0) {
                    return rc;
                }
            }
            cols = true;
            continue;
        }
        if (id == 3 && (ft == CM_THRIFT_I64 || ft == CM_THRIFT_I32)) {
            if ((rc = read_i64(r, ft, &g->rows)) != 0) {
                return rc;
            }
            continue;
        }
        if ((rc = cm_thrift_skip(&r->t, ft, 2)) != 0) {
            return thrift_fail(r, rc);
        }
    }
    if (!cols || g->rows < 0) {
        return fail(r, "Parquet row group without its columns or its number of rows");
    }
    for (uint32_t i = 0; i < r->m->ncols; i++) {
        if (chunks[i].values != g->rows) {
            return fail(r, "Parquet column chunk with another number of values than its row "
                           "group's rows");
        }
    }
    return CM_OK;
}

static int read_groups(struct reader *r)
{
    struct pq_meta *m = r->m;
    int elem, rc;
    uint32_t n;

    if (m->ncols == 0) {
        return fail(r, "Parquet row groups before the schema");
    }
    if ((rc = cm_thrift_list(&r->t, &elem, &n)) != 0) {
        return thrift_fail(r, rc);
    }
    if (elem != CM_THRIFT_STRUCT) {
        return thrift_fail(r, CM_EINVAL);
    }
    if (n == 0) {
        return CM_OK;
    }
    /* A column chunk takes a byte at least: a count past that is a lie, not a size. */
    if ((uint64_t)n * m->ncols > (uint64_t)(r->t.end - r->t.p)) {
        return fail(r, "Parquet metadata claims more column chunks than it holds");
    }
    m->groups = cm_calloc(n, sizeof(*m->groups));
    m->chunk_mem = cm_calloc((size_t)n * m->ncols, sizeof(*m->chunk_mem));
    if (m->groups == NULL || m->chunk_mem == NULL) {
        return CM_ENOMEM;
    }
    for (uint32_t g = 0; g < n; g++) {
        if ((rc = read_group(r, &m->groups[g], m->chunk_mem + (size_t)g * m->ncols)) != 0) {
            return rc;
        }
        m->ngroups = g + 1;
    }
    return CM_OK;
}

int pq_meta_read(const uint8_t *in, size_t n, struct pq_meta *m, char *why, size_t cap,
                 uint64_t *off)
{
    struct reader r = {.base = in, .m = m, .why = why, .cap = cap, .off = off};
    struct cm_thrift_struct s = {0};
    uint32_t len;
    int16_t id;
    int ft, rc = CM_OK;

    memset(m, 0, sizeof(*m));
    r.t.p = r.t.end = in;
    if (n < 4 || memcmp(in, "PAR1", 4) != 0) {
        return fail(&r, "not a Parquet file (no PAR1 at its start)");
    }
    if (n < 12 || memcmp(in + n - 4, "PAR1", 4) != 0) {
        r.t.p = in + n;
        return fail(&r, "Parquet file cut short or damaged: no footer (PAR1) at its end");
    }
    len = (uint32_t)in[n - 8] | (uint32_t)in[n - 7] << 8 | (uint32_t)in[n - 6] << 16 |
          (uint32_t)in[n - 5] << 24;
    if (len > n - 12) {
        r.t.p = in + n - 8;
        return fail(&r, "Parquet footer longer than the file (a cut or damaged file)");
    }
    r.t.p = in + n - 8 - len;
    r.t.end = in + n - 8;
    for (;;) {
        if ((rc = cm_thrift_field(&r.t, &s, &id, &ft)) != 0) {
            rc = thrift_fail(&r, rc);
            break;
        }
        if (ft == CM_THRIFT_STOP) {
            break;
        }
        if (id == 2 && ft == CM_THRIFT_LIST) {
            if ((rc = read_schema(&r)) != 0 || (rc = make_columns(&r)) != 0) {
                break;
            }
        } else if (id == 4 && ft == CM_THRIFT_LIST) {
            if ((rc = read_groups(&r)) != 0) {
                break;
            }
        } else if ((rc = cm_thrift_skip(&r.t, ft, 1)) != 0) {
            rc = thrift_fail(&r, rc);
            break;
        }
    }
    if (rc == 0 && m->ncols == 0) {
        rc = fail(&r, "Parquet metadata without a schema");
    }
    for (uint32_t g = 0; rc == 0 && g < m->ngroups; g++) {
        for (uint32_t i = 0; i < m->ncols; i++) {
            const struct pq_chunk *ch = &m->groups[g].chunks[i];

            if (ch->start > n - 8 - len || ch->size > n - 8 - len - ch->start) {
                r.t.p = in + n - 8 - len;
                rc = fail(&r, "Parquet column chunk outside the file's pages");
                break;
            }
        }
    }
    cm_free(r.el);
    if (rc != 0) {
        pq_meta_free(m);
    }
    return rc;
}

void pq_meta_free(struct pq_meta *m)
{
    cm_free(m->groups);
    cm_free(m->chunk_mem);
    m->groups = NULL;
    m->chunk_mem = NULL;
    m->ngroups = 0;
}
