/*
 * cm_gen_scenario_lists: the files that let a run's scenarios be checked,
 * under OUT/intel/ (see gen.h):
 *
 *   <list>.txt      every entry the scenarios need on <list>, TXT format,
 *                   sorted and unique, after a '#' comment naming the list
 *   args.txt        the `coalmine scan` options the scenarios need, one per
 *                   line: --intel-list CATEGORY=TXT:FILE for managed
 *                   categories, --threat-list custom=TXT:FILE,
 *                   --trusted-list trusted=TXT:FILE, then --aws-ranges
 *                   OUT/aws/ip-ranges.json, --inventory OUT/aws/instances.json,
 *                   --canary-key KEY (each once) and, for flow logs delivered
 *                   through CloudWatch Logs, --flow-fields (custom format) or
 *                   --region (default format, one region)
 *   scenarios.tsv   one line per expected finding (a scenario may expect
 *                   several, one per resource): name, finding type, resource
 *                   (access key, principal id, bucket or instance id), ENI,
 *                   threatListName, count, the indicators its hits use, its
 *                   near misses (comma-separated; see struct cm_gen_expect),
 *                   severity, bucket, additionalInfo checks and needs
 *                   (aws-ranges, canary-key=KEY, geoip, hours=N, emr=ID) and the
 *                   flow findings' resourceRole/connectionDirection; "-" for an
 *                   empty field. A scenario that cannot run (its kind of log
 *                   is not written, the world lacks an IAM user or an
 *                   instance) gets one line with "-" and count 0
 *
 * and, when a scenario needs AWS's ranges, OUT/aws/ip-ranges.json
 * (cm_gen_aws_ranges); when one names an EMR node, OUT/aws/instances.json
 * (describe-instances of the world, cm_gen_inventory). Everything is a function of the config (the
 * world is rebuilt from it), so the files are as deterministic as the logs. Paths in args.txt start
 * with out_dir as given.
 */
#include "gen/gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "gen/gen_sc_intel.h"
#include "gen/gz_writer.h"

struct entries {
    struct cm_gen_intel_entry *v;
    size_t n, cap;
};

/* What the run's scenarios need from the scan beyond their lists. */
struct scan_needs {
    bool ranges;       /* some scenario needs --aws-ranges */
    struct cm_buf emr; /* instance ids of EMR nodes, space-separated: --inventory */
    struct cm_buf kv;  /* the --canary-key lines, each once */
    struct cm_buf cwl; /* the flow logs' --flow-fields or --region line (cwl_needs) */
};

static int entry_cmp(const void *a, const void *b)
{
    const struct cm_gen_intel_entry *x = a, *y = b;
    int c = strcmp(x->list, y->list);

    return c != 0 ? c : strcmp(x->value, y->value);
}

/* Whether sc writes anything in c's run: it adds to a kind of log the run writes. */
static bool active(const struct cm_gen_config *c, const struct cm_gen_scenario *sc)
{
    return (sc->kinds & c->kinds) != 0;
}

static int collect(const struct cm_gen_config *c, const struct cm_gen_world *w, struct entries *e)
{
    const struct cm_gen_scenario *const *sc;
    struct cm_gen_intel_entry tmp[CM_GEN_SC_MAX_ENTRIES];
    size_t i, n, k = 0;

    for (sc = c->scenarios; *sc != NULL; sc++) {
        n = (*sc)->intel && active(c, *sc) ? (*sc)->intel(*sc, w, tmp) : 0;
        if (n == 0) {
            continue;
        }
        if (cm_grow((void **)&e->v, &e->cap, e->n + n, sizeof(*e->v), 32) != 0) {
            return CM_ENOMEM;
        }
        memcpy(e->v + e->n, tmp, n * sizeof(*tmp));
        e->n += n;
    }
    if (e->n == 0) {
        return 0;
    }
    qsort(e->v, e->n, sizeof(*e->v), entry_cmp);
    for (i = 1; i < e->n; i++) {
        if (entry_cmp(&e->v[i], &e->v[k]) != 0) {
            e->v[++k] = e->v[i];
        }
    }
    e->n = k + 1;
    return 0;
}

/* Writes b to dir/sub/name (sub exists). */
static int write_in(const char *dir, const char *sub, const char *name, const struct cm_buf *b)
{
    struct cm_buf path;
    FILE *fp;
    int rc = CM_EIO;

    cm_buf_init(&path, 0);
    if (cm_buf_printf(&path, "%s/%s/%s", dir, sub, name) != 0) {
        cm_buf_finish(&path);
        return CM_ENOMEM;
    }
    fp = fopen(path.p, "w");
    if (fp != NULL) {
        rc = b->len == 0 || fwrite(b->p, 1, b->len, fp) == b->len ? 0 : CM_EIO;
        if (fclose(fp) != 0) {
            rc = CM_EIO;
        }
    }
    cm_buf_finish(&path);
    return rc;
}

static int write_file(const char *dir, const char *name, const struct cm_buf *b)
{
    return write_in(dir, "intel", name, b);
}

static bool managed(const char *list)
{
    return strcmp(list, CM_GEN_SC_CUSTOM) != 0 && strcmp(list, CM_GEN_SC_TRUSTED) != 0;
}

/* The scan option that loads list (option and value, space-separated). */
static int put_option(struct cm_buf *b, const char *dir, const char *list)
{
    if (!managed(list)) {
        return cm_buf_printf(b, "--%s-list %s=TXT:%s/intel/%s.txt\n",
                             strcmp(list, CM_GEN_SC_TRUSTED) == 0 ? "trusted" : "threat", list, dir,
                             list);
    }
    return cm_buf_printf(b, "--intel-list %s=TXT:%s/intel/%s.txt\n", list, dir, list);
}

/*
 * Writes <list>.txt for every list and args.txt (managed lists, then custom,
 * then trusted, then the other needs).
 */
static int write_lists(const char *dir, const struct entries *e, const struct scan_needs *nd)
{
    struct cm_buf b, args;
    size_t i, j;
    int pass, rc = 0;

    cm_buf_init(&b, 0);
    cm_buf_init(&args, 0);
    for (i = 0; i < e->n && rc == 0; i = j) {
        const char *list = e->v[i].list;

        cm_buf_reset(&b);
        rc = cm_buf_printf(&b,
                           "# %s: the %s entries of coalmine gen's attack scenarios (TXT format).\n"
                           "# Load it with: ",
                           list, list);
        rc = rc ? rc : put_option(&b, dir, list);
        for (j = i; j < e->n && strcmp(e->v[j].list, list) == 0 && rc == 0; j++) {
            rc = cm_buf_printf(&b, "%s\n", e->v[j].value);
        }
        if (rc == 0) {
            char name[96];

            snprintf(name, sizeof(name), "%s.txt", list);
            rc = write_file(dir, name, &b);
        }
    }
    for (pass = 0; pass < 3 && rc == 0; pass++) {
        for (i = 0; i < e->n && rc == 0; i++) {
            const char *list = e->v[i].list;
            int want = managed(list) ? 0 : strcmp(list, CM_GEN_SC_CUSTOM) == 0 ? 1 : 2;

            if (want == pass && (i == 0 || strcmp(e->v[i - 1].list, list) != 0)) {
                rc = put_option(&args, dir, list);
            }
        }
    }
    if (rc == 0 && nd->ranges) {
        rc = cm_buf_printf(&args, "--aws-ranges %s/aws/ip-ranges.json\n", dir);
    }
    if (rc == 0 && nd->emr.len > 0) {
        rc = cm_buf_printf(&args, "--inventory %s/aws/instances.json\n", dir);
    }
    if (rc == 0 && nd->kv.len > 0) {
        rc = cm_buf_append(&args, nd->kv.p, nd->kv.len);
    }
    if (rc == 0 && nd->cwl.len > 0) {
        rc = cm_buf_append(&args, nd->cwl.p, nd->cwl.len);
    }
    rc = rc ? rc : write_file(dir, "args.txt", &args);
    cm_buf_finish(&b);
    cm_buf_finish(&args);
    return rc;
}

static const char *dash(const char *s)
{
    return s != NULL && s[0] != '\0' ? s : "-";
}

/* The needs column of sc: aws-ranges, canary-key=KEY, geoip, hours=N (comma-separated). */
static void needs_text(const struct cm_gen_scenario *sc, const struct cm_gen_world *w, char *out,
                       size_t n)
{
    static const char *const names[] = {"aws-ranges", "canary-key", "geoip", "hours", "emr"};
    struct cm_gen_need nd[CM_GEN_SC_MAX_NEEDS];
    size_t i, k = sc->needs ? sc->needs(sc, w, nd) : 0;
    char item[64];

    out[0] = '\0';
    for (i = 0; i < k; i++) {
        snprintf(item, sizeof(item), "%s%s%s", names[nd[i].kind], nd[i].value[0] ? "=" : "",
                 nd[i].value);
        cm_gen_sc_note(out, n, item);
    }
}

static int write_expectations(const struct cm_gen_config *c, const struct cm_gen_world *w)
{
    const struct cm_gen_scenario *const *sc;
    struct cm_gen_expect *ex;
    struct cm_buf b;
    char needs[160], sev[16];
    int rc, k, i;

    ex = cm_calloc(CM_GEN_SC_MAX_EXPECT, sizeof(*ex));
    if (ex == NULL) {
        return CM_ENOMEM;
    }
    cm_buf_init(&b, 0);
    rc = cm_buf_puts(&b, "# scenario\ttype\tresource\teni\tlist\tcount\tindicators\tnear"
                         "\tseverity\tbucket\tinfo\tneeds\trole\n");
    for (sc = c->scenarios; *sc != NULL && rc == 0; sc++) {
        if ((*sc)->expect == NULL) {
            continue;
        }
        needs_text(*sc, w, needs, sizeof(needs));
        k = active(c, *sc) ? (*sc)->expect(*sc, c, w, ex) : CM_ENOTFOUND;
        if (k == CM_ENOTFOUND || k == 0) {
            rc = cm_buf_printf(&b, "%s\t%s\t-\t-\t-\t0\t-\t-\t-\t-\t-\t%s\t-\n", (*sc)->name,
                               (*sc)->finding_types, dash(needs));
            continue;
        }
        if (k < 0) {
            rc = k; /* a plan that does not fit its expectation */
            break;
        }
        for (i = 0; i < k && rc == 0; i++) {
            if (ex[i].severity > 0) {
                snprintf(sev, sizeof(sev), "%g", ex[i].severity);
            } else {
                sev[0] = '\0';
            }
            rc = cm_buf_printf(&b, "%s\t%s\t%s\t%s\t%s\t%u\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
                               (*sc)->name, ex[i].type, ex[i].resource, dash(ex[i].eni),
                               dash(ex[i].list), ex[i].count, dash(ex[i].indicators),
                               dash(ex[i].near), dash(sev), dash(ex[i].bucket), dash(ex[i].info),
                               dash(needs), dash(ex[i].role));
        }
    }
    rc = rc ? rc : write_file(c->out_dir, "scenarios.tsv", &b);
    cm_buf_finish(&b);
    cm_free(ex);
    return rc;
}

/* Collects the scan needs of c's scenarios (active ones). */
static int collect_needs(const struct cm_gen_config *c, const struct cm_gen_world *w,
                         struct scan_needs *nd)
{
    const struct cm_gen_scenario *const *sc;
    struct cm_gen_need v[CM_GEN_SC_MAX_NEEDS];
    char line[96];
    size_t i, k;
    int rc = 0;

    for (sc = c->scenarios; *sc != NULL && rc == 0; sc++) {
        k = (*sc)->needs && active(c, *sc) ? (*sc)->needs(*sc, w, v) : 0;
        for (i = 0; i < k && rc == 0; i++) {
            if (v[i].kind == CM_GEN_NEED_AWS_RANGES) {
                nd->ranges = true;
            } else if (v[i].kind == CM_GEN_NEED_EMR) {
                rc = cm_buf_printf(&nd->emr, "%s%s", nd->emr.len > 0 ? " " : "", v[i].value);
            } else if (v[i].kind == CM_GEN_NEED_CANARY_KEY) {
                snprintf(line, sizeof(line), "--canary-key %s\n", v[i].value);
                if (nd->kv.p == NULL || strstr(nd->kv.p, line) == NULL) {
                    rc = cm_buf_puts(&nd->kv, line);
                }
            }
        }
    }
    return rc;
}

/*
 * What flow logs delivered through CloudWatch Logs need (--delivery other
 * than s3): their lines have no header, so a custom format is read with
 * --flow-fields (its names, comma-separated: one word in args.txt), and the
 * default format names no region, neither in a record nor in the object key,
 * so a one-region world's gets --region. Without it the scan drops every
 * detection of those records ("give --region REGION"): no flow scenario
 * fired. A world of several regions has no one region to give (scan each
 * region's logs with its own --region).
 */
static int cwl_needs(const struct cm_gen_config *c, const struct cm_gen_world *w,
                     struct scan_needs *nd)
{
    const char *h;
    int rc = 0;

    if (c->delivery == CM_GEN_DELIVERY_S3 || !(c->kinds & CM_GEN_KIND_BIT(CM_GEN_VPCFLOW)) ||
        w->nvpcs == 0) {
        return 0;
    }
    if (w->accounts[w->vpcs[0].account].flow_custom) {
        rc = cm_buf_puts(&nd->cwl, "--flow-fields ");
        for (h = cm_gen_flow_header(w, 0); *h != '\0' && rc == 0; h++) {
            rc = cm_buf_putc(&nd->cwl, *h == ' ' ? ',' : *h);
        }
        return rc ? rc : cm_buf_putc(&nd->cwl, '\n');
    }
    if (w->nregions == 1) {
        rc = cm_buf_printf(&nd->cwl, "--region %s\n", w->regions[0]->name);
    }
    return rc;
}

/* Writes OUT/aws/ip-ranges.json when a scenario needs it. */
static int write_ranges(const struct cm_gen_config *c, const struct cm_gen_world *w,
                        const struct scan_needs *nd)
{
    struct cm_buf dir, b;
    int rc;

    if (!nd->ranges) {
        return 0;
    }
    cm_buf_init(&dir, 0);
    cm_buf_init(&b, 0);
    rc = cm_buf_printf(&dir, "%s/aws/", c->out_dir);
    rc = rc ? rc : cm_gen_mkdirs(dir.p, dir.len);
    rc = rc ? rc : cm_gen_aws_ranges(c, w, &b);
    rc = rc ? rc : write_in(c->out_dir, "aws", "ip-ranges.json", &b);
    cm_buf_finish(&b);
    cm_buf_finish(&dir);
    return rc;
}

/* Writes OUT/aws/instances.json when a scenario names an EMR node. */
static int write_inventory(const struct cm_gen_config *c, const struct cm_gen_world *w,
                           const struct scan_needs *nd)
{
    struct cm_buf dir, b;
    int rc;

    if (nd->emr.len == 0) {
        return 0;
    }
    cm_buf_init(&dir, 0);
    cm_buf_init(&b, 0);
    rc = cm_buf_printf(&dir, "%s/aws/", c->out_dir);
    rc = rc ? rc : cm_gen_mkdirs(dir.p, dir.len);
    rc = rc ? rc : cm_gen_inventory(c, w, nd->emr.p, &b);
    rc = rc ? rc : write_in(c->out_dir, "aws", "instances.json", &b);
    cm_buf_finish(&b);
    cm_buf_finish(&dir);
    return rc;
}

int cm_gen_scenario_lists(const struct cm_gen_config *c)
{
    struct cm_gen_world *w = NULL;
    struct entries e = {NULL, 0, 0};
    struct scan_needs nd;
    struct cm_buf dir;
    int rc;

    if (c->out_dir == NULL || cm_gen_config_check(c, NULL) != 0) {
        return CM_EINVAL;
    }
    if (c->scenarios == NULL || c->scenarios[0] == NULL) {
        return 0;
    }
    nd.ranges = false;
    cm_buf_init(&nd.kv, 0);
    cm_buf_init(&nd.emr, 0);
    cm_buf_init(&nd.cwl, 0);
    cm_buf_init(&dir, 0);
    rc = cm_buf_printf(&dir, "%s/intel/", c->out_dir);
    rc = rc ? rc : cm_gen_mkdirs(dir.p, dir.len);
    rc = rc ? rc : cm_gen_world_create(c, &w);
    rc = rc ? rc : collect(c, w, &e);
    rc = rc ? rc : collect_needs(c, w, &nd);
    rc = rc ? rc : cwl_needs(c, w, &nd);
    rc = rc ? rc : write_ranges(c, w, &nd);
    rc = rc ? rc : write_inventory(c, w, &nd);
    rc = rc ? rc : write_lists(c->out_dir, &e, &nd);
    rc = rc ? rc : write_expectations(c, w);
    cm_buf_finish(&nd.kv);
    cm_buf_finish(&nd.emr);
    cm_buf_finish(&nd.cwl);
    cm_free(e.v);
    cm_gen_world_destroy(w);
    cm_buf_finish(&dir);
    return rc;
}
