/*
 * The list operations (spec §4, §6): Create, Get, Update, Delete and List of
 * IPSet (trusted addresses), ThreatIntelSet (threat addresses),
 * ThreatEntitySet (threat addresses and names) and TrustedEntitySet (trusted
 * addresses and names), kept in the store (store_sets.c) and loaded by every
 * scan into that store (src/cli/scan_intel.c) while ACTIVE.
 *
 * As GuardDuty, a list is read when it is activated (Create or Update with
 * activate true, or an Update that moves an active list to a new location),
 * not when its file changes: activating again re-reads it. Reading and
 * checking is api_lists_load.c; what it gives becomes the status (ACTIVE or
 * ERROR, with errorDetails) and the stored content. activate false makes a
 * list INACTIVE and drops its content.
 *
 * Names are 1-300 characters: letters, digits, '-' and '_' (and, for the
 * IPSet and ThreatIntelSet, spaces, as GuardDuty allows), unique among the
 * store's lists (a list's name is its threatListName in findings). Limits:
 * CM_STORE_SETS_MAX lists per kind and detector, CM_API_LIST_MAX_BYTES per
 * list, no cap on entries; GuardDuty's 1 IPSet and 6 ThreatIntelSets are not
 * enforced. An id the store does not have is 400 "The request is rejected
 * since no such resource found." List* pages in id order; nextToken is the
 * last id of the page.
 */
#include "api/api.h"
#include "api/api_input.h"
#include "api/api_lists_load.h"
#include "api/api_ops.h"
#include "api/api_target_guard.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "base/err.h"
#include "intel/intel_config.h"
#include "store/store.h"

#define NAME_MAX_LEN 300
#define LOC_MAX      300

/* What differs between the four kinds. */
struct kind {
    enum cm_store_set_kind kind;
    const char *id_member;  /* "ipSetId" */
    const char *ids_member; /* "ipSetIds" */
    bool name_spaces;       /* spaces allowed in names */
};

static const struct kind kinds[CM_SET_KINDS] = {
    [CM_SET_IP] = {CM_SET_IP, "ipSetId", "ipSetIds", true},
    [CM_SET_THREAT_INTEL] = {CM_SET_THREAT_INTEL, "threatIntelSetId", "threatIntelSetIds", true},
    [CM_SET_THREAT_ENTITY] = {CM_SET_THREAT_ENTITY, "threatEntitySetId", "threatEntitySetIds",
                              false},
    [CM_SET_TRUSTED_ENTITY] = {CM_SET_TRUSTED_ENTITY, "trustedEntitySetId", "trustedEntitySetIds",
                               false},
};

static void tag_key(char *out, size_t n, enum cm_store_set_kind k, const char *id)
{
    snprintf(out, n, "%.20s/%.40s", cm_store_set_kind_name(k), id);
}

static int check_name(struct cm_api_in *b, struct cm_api_resp *resp, const struct kind *k,
                      const char *name)
{
    for (const char *p = name; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || (c == ' ' && k->name_spaces))) {
            return cm_api_in_bad(b, resp, "name", cm_api_in_get(b, 0, "name"),
                                 k->name_spaces
                                     ? "may hold letters, digits, spaces, '-' and '_' only"
                                     : "may hold letters, digits, '-' and '_' only");
        }
    }
    return 0;
}

static int check_location(struct cm_api_in *b, struct cm_api_resp *resp, const char *loc)
{
    enum cm_api_loc l;
    char why[512];

    if (cm_api_loc_parse(loc, &l, why, sizeof(why)) != 0) {
        return cm_api_in_bad(b, resp, "location", cm_api_in_get(b, 0, "location"), why);
    }
    /* The service fetches it: no API caller points it at instance metadata. */
    if (l == CM_API_LOC_URL && strncasecmp(loc, "file://", 7) != 0 &&
        cm_api_url_host_ok("", loc, why, sizeof(why)) != 0) {
        return cm_api_in_bad(b, resp, "location", cm_api_in_get(b, 0, "location"), why);
    }
    return 0;
}

static int check_owner(struct cm_api_in *b, struct cm_api_resp *resp, const char *owner)
{
    if (owner != NULL && (strlen(owner) != 12 || strspn(owner, "0123456789") != 12)) {
        return cm_api_in_bad(b, resp, "expectedBucketOwner",
                             cm_api_in_get(b, 0, "expectedBucketOwner"),
                             "must be an account id of 12 digits");
    }
    return 0;
}

/* Activates s (reads its location) when activate, else makes it INACTIVE; a holds the bytes. */
static int apply_activation(struct cm_store_set *s, bool activate, struct cm_api_activation *a)
{
    const struct cm_intel_format *fmt = cm_intel_format_find(cm_str_cstr(s->format));

    s->content = NULL;
    s->content_len = 0;
    s->entries = 0;
    s->error_details = NULL;
    if (!activate) {
        s->status = "INACTIVE";
        return 0;
    }
    if (cm_api_list_activate(s->kind, s->name, fmt, s->location, a) != 0) {
        return CM_ENOMEM;
    }
    s->status = a->active ? "ACTIVE" : "ERROR";
    s->error_details = a->details[0] ? a->details : NULL;
    if (a->active) {
        s->content = a->bytes.p != NULL ? a->bytes.p : "";
        s->content_len = a->bytes.len;
        s->entries = (int64_t)a->entries;
    }
    return 0;
}

/* The store's refusal of a name or a count as a 400, anything else as a 500. */
static int put_error(struct cm_api_in *b, struct cm_api_resp *resp, int rc, const char *err)
{
    if (rc == CM_EEXIST) {
        return cm_api_in_bad(b, resp, "name", cm_api_in_get(b, 0, "name"), err);
    }
    if (rc == CM_EFULL) {
        return cm_api_bad_request(resp, err);
    }
    return cm_api_ops_stored(resp, rc, err);
}

static int create_set(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                      struct cm_api_resp *resp, const struct kind *k)
{
    struct cm_api_activation a;
    struct cm_api_in b;
    struct cm_store_set s;
    const char *tags = "{}", *token = NULL;
    bool activate = false, has;
    char id[CM_API_OPS_ID_LEN + 1], err[512] = "", key[96];
    int rc = -1;

    memset(&b, 0, sizeof(b));
    memset(&s, 0, sizeof(s));
    cm_api_activation_init(&a);
    if (cm_api_ops_detector(ctx, req, resp) != 0 || cm_api_in_parse(&b, req, resp) != 0 ||
        cm_api_in_str(&b, resp, 0, "name", true, 1, NAME_MAX_LEN, &s.name) != 0 ||
        check_name(&b, resp, k, s.name) != 0 ||
        cm_api_in_str(&b, resp, 0, "format", true, 1, 300, &s.format) != 0 ||
        cm_api_in_str(&b, resp, 0, "location", true, 1, LOC_MAX, &s.location) != 0 ||
        check_location(&b, resp, s.location) != 0 ||
        cm_api_in_bool(&b, resp, 0, "activate", true, &has, &activate) != 0 ||
        cm_api_in_str(&b, resp, 0, "expectedBucketOwner", false, 12, 12, &s.expected_owner) != 0 ||
        check_owner(&b, resp, s.expected_owner) != 0 ||
        cm_api_in_str(&b, resp, 0, "clientToken", false, 0, 64, &token) != 0 ||
        cm_api_in_tags(&b, resp, &tags) != 0) {
        goto out;
    }
    if (cm_intel_format_find(cm_str_cstr(s.format)) == NULL) {
        rc = cm_api_in_bad(&b, resp, "format", cm_api_in_get(&b, 0, "format"),
                           "must be TXT, STIX, OTX_CSV, ALIEN_VAULT, PROOF_POINT or FIRE_EYE "
                           "(or one of coalmine's: STIX2, MISP, MISP_CSV, HOSTS, ZEEK)");
        goto out;
    }
    cm_api_ops_new_id(id);
    s.id = id;
    s.kind = k->kind;
    s.detector_id = req->params[0];
    s.created_ms = s.updated_ms = req->now_ms;
    if ((rc = apply_activation(&s, activate, &a)) != 0) {
        rc = -1;
        goto out;
    }
    rc = cm_store_set_put(ctx->store, &s, true, err, sizeof(err));
    if (rc != 0) {
        rc = put_error(&b, resp, rc, err);
        goto out;
    }
    tag_key(key, sizeof(key), k->kind, id);
    if ((rc = cm_store_tags_set(ctx->store, key, tags, err, sizeof(err))) != 0) {
        rc = cm_api_ops_store_fail(resp, rc, err);
        goto out;
    }
    rc = cm_api_ops_answer_id(resp, k->id_member, id);
out:
    cm_api_activation_finish(&a);
    cm_api_in_finish(&b);
    return rc;
}

/* GuardDuty's timestamps in restJson1: epoch seconds. */
static void put_time(struct cm_jw *jw, const char *key, int64_t ms)
{
    cm_jw_key(jw, key);
    cm_jw_f64(jw, (double)ms / 1000.0);
}

struct get_ctx {
    struct cm_api_ctx *ctx;
    struct cm_api_resp *resp;
};

static int write_set(void *ud, const struct cm_store_set *s)
{
    struct get_ctx *g = ud;
    struct cm_jw jw;
    char key[96], *tags = NULL;
    int rc;

    tag_key(key, sizeof(key), s->kind, s->id);
    if ((rc = cm_store_tags_get(g->ctx->store, key, &tags)) != 0) {
        return rc;
    }
    cm_buf_reset(&g->resp->body);
    cm_jw_init(&jw, &g->resp->body);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "name");
    cm_jw_str(&jw, s->name);
    cm_jw_key(&jw, "format");
    cm_jw_str(&jw, s->format);
    cm_jw_key(&jw, "location");
    cm_jw_str(&jw, s->location);
    if (s->expected_owner != NULL) {
        cm_jw_key(&jw, "expectedBucketOwner");
        cm_jw_str(&jw, s->expected_owner);
    }
    cm_jw_key(&jw, "status");
    cm_jw_str(&jw, s->status);
    cm_jw_key(&jw, "tags");
    cm_jw_raw(&jw, tags, strlen(tags));
    /*
     * The model's GetIPSet and GetThreatIntelSet responses have no times (the
     * entity sets' have): before 2026-12-05 all four carried them.
     */
    if (s->kind == CM_SET_THREAT_ENTITY || s->kind == CM_SET_TRUSTED_ENTITY) {
        put_time(&jw, "createdAt", s->created_ms);
        put_time(&jw, "updatedAt", s->updated_ms);
    }
    if (s->error_details != NULL) {
        cm_jw_key(&jw, "errorDetails");
        cm_jw_str(&jw, s->error_details);
    }
    cm_jw_obj_end(&jw);
    cm_free(tags);
    return cm_jw_finish(&jw);
}

static int get_set(struct cm_api_ctx *ctx, const struct cm_api_req *req, struct cm_api_resp *resp,
                   const struct kind *k)
{
    struct get_ctx g = {ctx, resp};
    int rc;

    if (cm_api_ops_detector(ctx, req, resp) != 0) {
        return -1;
    }
    rc = cm_store_set_get(ctx->store, k->kind, req->params[0], req->params[1], write_set, &g);
    return cm_api_ops_stored(resp, rc, NULL);
}

/* The stored list, copied out of the store's row. */
struct held {
    struct cm_store_set s;
    char *strs[8];
    size_t nstrs;
    void *content;
};

static const char *keep(struct held *h, const char *s)
{
    char *p;

    if (s == NULL || h->nstrs == sizeof(h->strs) / sizeof(h->strs[0]) ||
        (p = cm_strndup(s, strlen(s))) == NULL) {
        return NULL;
    }
    h->strs[h->nstrs++] = p;
    return p;
}

static int hold(void *ud, const struct cm_store_set *s)
{
    struct held *h = ud;

    h->s = *s;
    h->s.id = keep(h, s->id);
    h->s.detector_id = keep(h, s->detector_id);
    h->s.name = keep(h, s->name);
    h->s.format = keep(h, s->format);
    h->s.location = keep(h, s->location);
    h->s.expected_owner = keep(h, s->expected_owner);
    h->s.status = keep(h, s->status);
    h->s.error_details = keep(h, s->error_details);
    h->s.content = NULL;
    if (s->content != NULL) {
        if ((h->content = cm_malloc(s->content_len ? s->content_len : 1)) == NULL) {
            return CM_ENOMEM;
        }
        memcpy(h->content, s->content, s->content_len);
        h->s.content = h->content;
    }
    if (h->s.id == NULL || h->s.name == NULL || h->s.status == NULL || h->s.location == NULL ||
        h->s.format == NULL || h->s.detector_id == NULL) {
        return CM_ENOMEM;
    }
    return 0;
}

static void held_free(struct held *h)
{
    for (size_t i = 0; i < h->nstrs; i++) {
        cm_free(h->strs[i]);
    }
    cm_free(h->content);
}

static int update_set(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                      struct cm_api_resp *resp, const struct kind *k)
{
    struct cm_api_activation a;
    struct cm_api_in b;
    struct held h;
    const char *name = NULL, *loc = NULL, *owner = NULL;
    bool activate = false, has_activate = false, reread;
    char err[512] = "";
    int rc = -1;

    memset(&b, 0, sizeof(b));
    memset(&h, 0, sizeof(h));
    cm_api_activation_init(&a);
    if (cm_api_ops_detector(ctx, req, resp) != 0 || cm_api_in_parse(&b, req, resp) != 0 ||
        cm_api_in_str(&b, resp, 0, "name", false, 1, NAME_MAX_LEN, &name) != 0 ||
        (name != NULL && check_name(&b, resp, k, name) != 0) ||
        cm_api_in_str(&b, resp, 0, "location", false, 1, LOC_MAX, &loc) != 0 ||
        (loc != NULL && check_location(&b, resp, loc) != 0) ||
        cm_api_in_bool(&b, resp, 0, "activate", false, &has_activate, &activate) != 0 ||
        cm_api_in_str(&b, resp, 0, "expectedBucketOwner", false, 12, 12, &owner) != 0 ||
        check_owner(&b, resp, owner) != 0) {
        goto out;
    }
    rc = cm_store_set_get(ctx->store, k->kind, req->params[0], req->params[1], hold, &h);
    if (rc != 0) {
        rc = rc == CM_ENOMEM ? -1 : cm_api_ops_stored(resp, rc, NULL);
        goto out;
    }
    /* Re-read when asked, or when an active (or failed) list moves to a new location. */
    reread = has_activate ? activate
                          : loc != NULL && strcmp(loc, h.s.location) != 0 &&
                                strcmp(h.s.status, "INACTIVE") != 0;
    if (name != NULL) {
        h.s.name = name;
    }
    if (loc != NULL) {
        h.s.location = loc;
    }
    if (owner != NULL) {
        h.s.expected_owner = owner;
    }
    h.s.updated_ms = req->now_ms;
    if ((has_activate || reread) && apply_activation(&h.s, reread, &a) != 0) {
        rc = -1;
        goto out;
    }
    rc = cm_store_set_put(ctx->store, &h.s, false, err, sizeof(err));
    rc = rc != 0 ? put_error(&b, resp, rc, err) : cm_api_in_empty(resp);
out:
    held_free(&h);
    cm_api_activation_finish(&a);
    cm_api_in_finish(&b);
    return rc;
}

static int delete_set(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                      struct cm_api_resp *resp, const struct kind *k)
{
    char err[512] = "";
    int rc;

    if (cm_api_ops_detector(ctx, req, resp) != 0) {
        return -1;
    }
    rc = cm_store_set_delete(ctx->store, k->kind, req->params[0], req->params[1], err, sizeof(err));
    return rc != 0 ? cm_api_ops_stored(resp, rc, err) : cm_api_in_empty(resp);
}

static int list_one(void *ud, const struct cm_store_set *s)
{
    cm_api_page_id(ud, s->id);
    return 0;
}

static int list_sets(struct cm_api_ctx *ctx, const struct cm_api_req *req, struct cm_api_resp *resp,
                     const struct kind *k)
{
    struct cm_api_page page;
    const char *token;
    size_t max;
    bool more = false;
    int rc;

    if (cm_api_ops_detector(ctx, req, resp) != 0 || cm_api_in_page(req, resp, &max, &token) != 0) {
        return -1;
    }
    cm_api_page_begin(&page, resp, k->ids_member);
    rc = cm_store_set_ids(ctx->store, k->kind, req->params[0], token, max, list_one, &page, &more);
    if (rc != 0) {
        return cm_api_ops_store_fail(resp, rc, NULL);
    }
    return cm_api_page_end(&page, more ? page.last : NULL);
}

/* ---- one handler per operation and kind ---- */

#define KIND_OPS(prefix, plural, k)                                                                \
    CM_API_OP(cm_api_create_##prefix)                                                              \
    {                                                                                              \
        return create_set(ctx, req, resp, &kinds[k]);                                              \
    }                                                                                              \
    CM_API_OP(cm_api_get_##prefix)                                                                 \
    {                                                                                              \
        return get_set(ctx, req, resp, &kinds[k]);                                                 \
    }                                                                                              \
    CM_API_OP(cm_api_update_##prefix)                                                              \
    {                                                                                              \
        return update_set(ctx, req, resp, &kinds[k]);                                              \
    }                                                                                              \
    CM_API_OP(cm_api_delete_##prefix)                                                              \
    {                                                                                              \
        return delete_set(ctx, req, resp, &kinds[k]);                                              \
    }                                                                                              \
    CM_API_OP(cm_api_list_##plural)                                                                \
    {                                                                                              \
        return list_sets(ctx, req, resp, &kinds[k]);                                               \
    }

KIND_OPS(ip_set, ip_sets, CM_SET_IP)
KIND_OPS(threat_intel_set, threat_intel_sets, CM_SET_THREAT_INTEL)
KIND_OPS(threat_entity_set, threat_entity_sets, CM_SET_THREAT_ENTITY)
KIND_OPS(trusted_entity_set, trusted_entity_sets, CM_SET_TRUSTED_ENTITY)
