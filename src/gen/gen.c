/*
 * cm_gen_run: builds the world and the derived tables, then writes every
 * file of the run and the manifest.
 *
 * Work is cut into one job per output file: per 5-minute slot and VPC, a
 * CloudTrail management file, a CloudTrail data-event file and a Resolver
 * log file, plus a flow log file every other slot. Workers (cfg->jobs
 * threads, or the caller's thread alone) claim jobs in slot order under a
 * mutex; since each file is a pure function of its job, the output is the
 * same for any number of workers. Files that would hold no record are not
 * written (CloudTrail does not deliver empty files either). Per-worker
 * counters are summed into struct cm_gen_stats, which the manifest
 * (CM_GEN_MANIFEST) reports exactly.
 */
#include "gen/gen.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/time.h"
#include "gen/gen_pick.h"
#include "gen/gz_writer.h"

struct run {
    const struct cm_gen_env *env;
    pthread_mutex_t mu;
    uint64_t slot, nslots;
    unsigned sub;
    int err;
};

struct worker {
    struct run *run;
    struct cm_gen_file file;
    struct cm_gen_gz gz;
    struct cm_buf path;
    struct cm_gen_stats st;
    pthread_t th;
};

struct job {
    enum cm_gen_kind kind;
    bool data;
    unsigned vpc;
    uint64_t win;
};

void cm_gen_config_init(struct cm_gen_config *c)
{
    memset(c, 0, sizeof(*c));
    c->seed = 1;
    c->start_s = cm_days_from_civil(2026, 1, 5) * 86400;
    c->hours = 2;
    c->accounts = 2;
    c->instances = 8;
    c->principals = 4;
    c->regions = 2;
    c->scale = 1.0;
    c->kinds = CM_GEN_KINDS_ALL;
    c->gzip = true;
    c->gzip_level = 1;
    c->flow_format = CM_GEN_FLOW_MIXED;
    c->jobs = 1;
}

int cm_gen_config_check(const struct cm_gen_config *c, const char **why)
{
    const char *w = NULL;

    if (c->accounts < 1 || c->accounts > CM_GEN_MAX_ACCOUNTS) {
        w = "accounts must be 1..1000";
    } else if (c->instances > CM_GEN_MAX_INSTANCES) {
        w = "instances must be 0..4000";
    } else if (c->principals > CM_GEN_MAX_PRINCIPALS) {
        w = "principals must be 0..500";
    } else if (c->regions < 1 || c->regions > cm_gen_region_count()) {
        w = "regions must be 1..12";
    } else if (c->hours < 1 || c->hours > CM_GEN_MAX_HOURS) {
        w = "hours must be 1..9600";
    } else if (!(c->scale > 0.0) || c->scale > CM_GEN_MAX_SCALE) {
        w = "scale must be > 0 and <= 10000";
    } else if (c->kinds == 0 || (c->kinds & ~CM_GEN_KINDS_ALL) != 0) {
        w = "kinds must name at least one of cloudtrail, vpcflow, dns";
    } else if (c->delivery != CM_GEN_DELIVERY_S3 && c->flow_format == CM_GEN_FLOW_MIXED &&
               (c->kinds & CM_GEN_KIND_BIT(CM_GEN_VPCFLOW))) {
        w = "flow logs out of CloudWatch Logs have no header line: give one flow format "
            "(default, or custom and scan with --flow-fields)";
    } else if (c->gzip_level < 1 || c->gzip_level > 12) {
        w = "gzip level must be 1..12";
    } else if (c->jobs < 1 || c->jobs > CM_GEN_MAX_JOBS) {
        w = "jobs must be 1..64";
    } else if (c->start_s < 0 || c->start_s % 60 != 0 ||
               c->start_s > cm_days_from_civil(9000, 1, 1) * 86400) {
        w = "start must be a whole minute between 1970 and 9000";
    }
    if (why != NULL) {
        *why = w;
    }
    return w ? CM_EINVAL : 0;
}

/* Files per VPC in a slot. */
static unsigned per_vpc(const struct cm_gen_config *c, uint64_t slot)
{
    return ((c->kinds & CM_GEN_KIND_BIT(CM_GEN_CLOUDTRAIL)) ? 2u : 0u) +
           ((c->kinds & CM_GEN_KIND_BIT(CM_GEN_DNS)) ? 1u : 0u) +
           ((c->kinds & CM_GEN_KIND_BIT(CM_GEN_VPCFLOW)) && slot % 2 == 0 ? 1u : 0u);
}

static void decode(const struct cm_gen_config *c, uint64_t slot, unsigned sub, struct job *j)
{
    unsigned k = per_vpc(c, slot), i = sub % k;

    j->vpc = sub / k;
    j->win = slot;
    j->data = false;
    if (c->kinds & CM_GEN_KIND_BIT(CM_GEN_CLOUDTRAIL)) {
        if (i < 2) {
            j->kind = CM_GEN_CLOUDTRAIL;
            j->data = i == 1;
            return;
        }
        i -= 2;
    }
    if ((c->kinds & CM_GEN_KIND_BIT(CM_GEN_DNS)) && i-- == 0) {
        j->kind = CM_GEN_DNS;
        return;
    }
    j->kind = CM_GEN_VPCFLOW;
    j->win = slot / 2;
}

/* Claims the next job; false when there is none left or the run failed. */
static bool claim(struct run *r, struct job *j)
{
    const struct cm_gen_config *c = r->env->cfg;
    bool ok = false;

    pthread_mutex_lock(&r->mu);
    while (r->err == 0 && r->slot < r->nslots) {
        unsigned n = per_vpc(c, r->slot) * r->env->world->nvpcs;

        if (r->sub < n) {
            decode(c, r->slot, r->sub++, j);
            ok = true;
            break;
        }
        r->slot++;
        r->sub = 0;
    }
    pthread_mutex_unlock(&r->mu);
    return ok;
}

static void fail(struct run *r, int err)
{
    pthread_mutex_lock(&r->mu);
    if (r->err == 0) {
        r->err = err;
    }
    pthread_mutex_unlock(&r->mu);
}

static int fill(struct cm_gen_file *f, const struct job *j)
{
    const struct cm_gen_scenario *const *sc = f->env->cfg->scenarios;
    int rc;

    if (j->kind == CM_GEN_CLOUDTRAIL) {
        rc = j->data ? cm_gen_ct_data_fill(f) : cm_gen_cloudtrail_fill(f);
    } else if (j->kind == CM_GEN_VPCFLOW) {
        rc = cm_gen_flow_fill(f);
    } else {
        rc = cm_gen_dns_fill(f);
    }
    for (; rc == 0 && sc != NULL && *sc != NULL; sc++) {
        if ((*sc)->kinds & CM_GEN_KIND_BIT(j->kind)) {
            rc = (*sc)->emit(*sc, f);
        }
    }
    return rc;
}

static int run_job(struct worker *wk, const struct job *j)
{
    struct cm_gen_file *f = &wk->file;
    const struct cm_gen_config *c = wk->run->env->cfg;
    uint64_t disk = 0;
    int rc;

    cm_gen_file_begin(f, j->kind, j->data, j->vpc, j->win);
    rc = fill(f, j);
    if (rc != 0 || f->nspans == 0) {
        return rc;
    }
    rc = cm_gen_file_assemble(f);
    if (rc != 0) {
        return rc;
    }
    cm_buf_reset(&wk->path);
    rc = cm_buf_puts(&wk->path, c->out_dir);
    if (rc == 0) {
        rc = cm_buf_putc(&wk->path, '/');
    }
    if (rc == 0) {
        rc = cm_gen_file_path(f, &wk->path);
    }
    if (rc == 0) {
        rc = cm_gen_gz_write(&wk->gz, wk->path.p, f->out.p, f->out.len, &disk);
    }
    if (rc == 0) {
        wk->st.files[j->kind]++;
        wk->st.records[j->kind] += f->nspans;
        wk->st.bytes[j->kind] += f->out.len;
        wk->st.disk_bytes[j->kind] += disk;
    }
    return rc;
}

static void *worker_main(void *arg)
{
    struct worker *wk = arg;
    struct job j;
    int rc;

    while (claim(wk->run, &j)) {
        rc = run_job(wk, &j);
        if (rc != 0) {
            fail(wk->run, rc);
        }
    }
    return NULL;
}

static int worker_init(struct worker *wk, struct run *r)
{
    const struct cm_gen_config *c = r->env->cfg;

    memset(wk, 0, sizeof(*wk));
    wk->run = r;
    cm_gen_file_init(&wk->file, r->env);
    cm_buf_init(&wk->path, 0);
    return cm_gen_gz_init(&wk->gz, c->gzip, c->gzip_level);
}

static void worker_finish(struct worker *wk)
{
    cm_gen_file_finish(&wk->file);
    cm_gen_gz_finish(&wk->gz);
    cm_buf_finish(&wk->path);
}

static void add_stats(struct cm_gen_stats *to, const struct cm_gen_stats *from)
{
    int k;

    for (k = 0; k < CM_GEN_NKINDS; k++) {
        to->files[k] += from->files[k];
        to->records[k] += from->records[k];
        to->bytes[k] += from->bytes[k];
        to->disk_bytes[k] += from->disk_bytes[k];
    }
}

/* Runs the jobs on n workers (n - 1 extra threads plus the caller). */
static int run_workers(struct run *r, unsigned n, struct cm_gen_stats *st)
{
    struct worker *wk = cm_calloc(n, sizeof(*wk));
    unsigned i, started = 0;
    int rc = 0;

    if (wk == NULL) {
        return CM_ENOMEM;
    }
    for (i = 0; i < n && rc == 0; i++) {
        rc = worker_init(&wk[i], r);
    }
    for (i = 1; i < n && rc == 0; i++, started++) {
        if (pthread_create(&wk[i].th, NULL, worker_main, &wk[i]) != 0) {
            fail(r, CM_ENOMEM);
            break;
        }
    }
    if (rc == 0) {
        worker_main(&wk[0]);
    }
    for (i = 1; i <= started; i++) {
        pthread_join(wk[i].th, NULL);
    }
    for (i = 0; i < n; i++) {
        add_stats(st, &wk[i].st);
        worker_finish(&wk[i]);
    }
    cm_free(wk);
    return rc != 0 ? rc : r->err;
}

static void put_kinds(struct cm_buf *b, const char *name, const uint64_t *v)
{
    cm_buf_printf(b, ",\"%s\":{\"cloudtrail\":%llu,\"vpcflow\":%llu,\"dns\":%llu}", name,
                  (unsigned long long)v[CM_GEN_CLOUDTRAIL], (unsigned long long)v[CM_GEN_VPCFLOW],
                  (unsigned long long)v[CM_GEN_DNS]);
}

static int write_manifest(const struct cm_gen_config *c, const struct cm_gen_stats *st)
{
    struct cm_buf b, path;
    char start[32];
    FILE *fp = NULL;
    int rc = CM_ENOMEM;

    cm_buf_init(&b, 0);
    cm_buf_init(&path, 0);
    cm_time_format_iso_s(c->start_s * 1000, start, sizeof(start));
    cm_buf_printf(&b,
                  "{\"seed\":%llu,\"start\":\"%s\",\"hours\":%u,\"scale\":%g,\"accounts\":%u,"
                  "\"regions\":%u,\"instances\":%u,\"principals\":%u,\"gzip\":%s",
                  (unsigned long long)c->seed, start, c->hours, c->scale, c->accounts, c->regions,
                  c->instances, c->principals, c->gzip ? "true" : "false");
    put_kinds(&b, "files", st->files);
    put_kinds(&b, "records", st->records);
    put_kinds(&b, "bytes", st->bytes);
    put_kinds(&b, "disk_bytes", st->disk_bytes);
    if (cm_buf_puts(&b, "}\n") != 0 ||
        cm_buf_printf(&path, "%s/%s", c->out_dir, CM_GEN_MANIFEST) != 0) {
        goto out;
    }
    rc = CM_EIO;
    fp = fopen(path.p, "w");
    if (fp == NULL) {
        goto out;
    }
    if (fwrite(b.p, 1, b.len, fp) == b.len) {
        rc = 0;
    }
    if (fclose(fp) != 0) {
        rc = CM_EIO;
    }
out:
    cm_buf_finish(&b);
    cm_buf_finish(&path);
    return rc;
}

const char *cm_gen_top_dir(const struct cm_gen_config *c)
{
    switch (c->delivery) {
    case CM_GEN_DELIVERY_CWL_EXPORT:
        return "exportedlogs";
    case CM_GEN_DELIVERY_FIREHOSE:
        return "firehose";
    default:
        return "AWSLogs";
    }
}

/* Creates out_dir (and parents); refuses one that already holds the top folder. */
static int prepare_out(const struct cm_gen_config *c)
{
    const char *top = cm_gen_top_dir(c);
    struct cm_buf p;
    struct stat sb;
    int rc;

    cm_buf_init(&p, 0);
    rc = cm_buf_printf(&p, "%s/%s", c->out_dir, top);
    if (rc == 0 && stat(p.p, &sb) == 0) {
        rc = CM_EINVAL;
    }
    if (rc == 0) {
        p.len -= strlen(top);
        rc = cm_gen_mkdirs(p.p, p.len);
    }
    cm_buf_finish(&p);
    return rc;
}

int cm_gen_run(const struct cm_gen_config *c, struct cm_gen_stats *out)
{
    struct cm_gen_world *w = NULL;
    struct cm_gen_tables *tab = NULL;
    struct cm_gen_env env;
    struct cm_gen_stats st;
    struct run r;
    int rc;

    memset(&st, 0, sizeof(st));
    if (c->out_dir == NULL || cm_gen_config_check(c, NULL) != 0) {
        return CM_EINVAL;
    }
    rc = prepare_out(c);
    if (rc == 0) {
        rc = cm_gen_world_create(c, &w);
    }
    if (rc == 0) {
        rc = cm_gen_tables_create(&tab);
    }
    if (rc != 0) {
        goto out;
    }
    env.cfg = c;
    env.world = w;
    env.tables = tab;
    memset(&r, 0, sizeof(r));
    r.env = &env;
    r.nslots = (uint64_t)c->hours * 3600 / CM_GEN_CT_WINDOW;
    pthread_mutex_init(&r.mu, NULL);
    rc = run_workers(&r, c->jobs, &st);
    pthread_mutex_destroy(&r.mu);
    if (rc == 0) {
        rc = write_manifest(c, &st);
    }
out:
    if (out != NULL) {
        *out = st;
    }
    cm_gen_tables_destroy(tab);
    cm_gen_world_destroy(w);
    return rc;
}
