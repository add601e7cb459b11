/*
 * What the intel scenarios share (gen_sc_intel.h): picking the attacked
 * VPC, IAM user, bucket and instances out of a world, placing steps in
 * files, and building list entries and expectations. All of it is a pure
 * function of the world, so emit, intel and expect always agree.
 */
#include "gen/gen_sc_intel.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"

unsigned cm_gen_sc_vpc(const struct cm_gen_world *w)
{
    return w->accounts[0].first_vpc;
}

long cm_gen_sc_principal(const struct cm_gen_world *w)
{
    const struct cm_gen_account *a = &w->accounts[0];
    unsigned i;

    if (a->nprincipals == 0) {
        return -1;
    }
    for (i = 0; i < a->nprincipals; i++) {
        if (w->principals[a->first_principal + i].kind == CM_GEN_P_IAM_CLI) {
            return (long)(a->first_principal + i);
        }
    }
    return (long)a->first_principal;
}

long cm_gen_sc_bucket(const struct cm_gen_world *w)
{
    const struct cm_gen_account *a = &w->accounts[0];
    unsigned i;

    if (a->nbuckets > 2 && w->buckets[a->first_bucket + 2].region == 0) {
        return (long)(a->first_bucket + 2);
    }
    for (i = 0; i < a->nbuckets; i++) {
        if (w->buckets[a->first_bucket + i].region == 0) {
            return (long)(a->first_bucket + i);
        }
    }
    return -1;
}

long cm_gen_sc_instance(const struct cm_gen_world *w, enum cm_gen_tier t, long not )
{
    const struct cm_gen_vpc *v = &w->vpcs[cm_gen_sc_vpc(w)];
    long first = -1;
    unsigned i;

    for (i = 0; i < v->ninstances; i++) {
        long k = (long)(v->first_instance + i);

        if (k == not ) {
            continue;
        }
        if (w->instances[k].tier == t) {
            return k;
        }
        if (first < 0) {
            first = k;
        }
    }
    return first;
}

bool cm_gen_sc_in_file(const struct cm_gen_file *f, int64_t t)
{
    return f->vpc == cm_gen_sc_vpc(f->env->world) && t >= f->start_s && t < f->end_s;
}

int64_t cm_gen_sc_time(const struct cm_gen_file *f, unsigned at)
{
    return f->env->cfg->start_s + (int64_t)at;
}

void cm_gen_sc_ip_str(uint32_t ip, char *out)
{
    snprintf(out, 16, "%u.%u.%u.%u", (unsigned)(ip >> 24), (unsigned)((ip >> 16) & 255),
             (unsigned)((ip >> 8) & 255), (unsigned)(ip & 255));
}

void cm_gen_sc_add_name(struct cm_gen_intel_entry *out, size_t *n, const char *list,
                        const char *name)
{
    size_t i;

    for (i = 0; i < *n; i++) {
        if (strcmp(out[i].list, list) == 0 && strcmp(out[i].value, name) == 0) {
            return;
        }
    }
    if (*n >= CM_GEN_SC_MAX_ENTRIES) {
        return;
    }
    out[*n].list = list;
    snprintf(out[*n].value, sizeof(out[*n].value), "%s", name);
    (*n)++;
}

void cm_gen_sc_add_ip(struct cm_gen_intel_entry *out, size_t *n, const char *list, uint32_t ip)
{
    char s[16];

    cm_gen_sc_ip_str(ip, s);
    cm_gen_sc_add_name(out, n, list, s);
}

static bool has_item(const char *buf, const char *item)
{
    size_t n = strlen(item);
    const char *p;

    for (p = buf; (p = strstr(p, item)) != NULL; p++) {
        if ((p == buf || p[-1] == ',') && (p[n] == ',' || p[n] == '\0')) {
            return true;
        }
    }
    return false;
}

void cm_gen_sc_note(char *buf, size_t n, const char *item)
{
    size_t len = strlen(buf);

    if (!has_item(buf, item)) {
        snprintf(buf + len, n - len, "%s%s", len ? "," : "", item);
    }
}

void cm_gen_sc_note_ip(char *buf, size_t n, uint32_t ip)
{
    char s[16];

    cm_gen_sc_ip_str(ip, s);
    cm_gen_sc_note(buf, n, s);
}

int cm_gen_sc_note_near(struct cm_gen_expect *e, const char *mark)
{
    if (strlen(e->near) + strlen(mark) + 2 > sizeof(e->near)) {
        return CM_E2BIG;
    }
    cm_gen_sc_note(e->near, sizeof(e->near), mark);
    return 0;
}

size_t cm_gen_sc_need_hours(unsigned hours, struct cm_gen_need *out)
{
    if (hours <= 1) {
        return 0;
    }
    out->kind = CM_GEN_NEED_HOURS;
    snprintf(out->value, sizeof(out->value), "%u", hours);
    return 1;
}
