/*
 * UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B (issue #5): successful
 * console sign-ins of one principal from places too far apart for the time
 * between them ("impossible travel").
 *
 * Each successful ConsoleLogin is placed with the config's locate() (the geo
 * databases of src/; without one nothing is placed and this type is never
 * emitted). The last RECENT logins of each principal are remembered for the
 * window (24 h by default). A new login fires when, against any remembered
 * one, the great-circle distance is at least travel_min_km (500) and the
 * speed it needs, distance over the time between (at least one minute), is
 * over travel_max_kmh (1000, faster than an airliner). 500 km absorbs the
 * error of city-level geolocation of consumer and mobile addresses.
 * docs/detectors/cloudtrail.md gives the reasoning.
 *
 * The finding cites both sign-ins as evidence; additionalInfo carries the
 * earlier address, the distance and the speed.
 *
 * Principals are kept in two tables of PRINCIPALS each, full ones evicting
 * their least recently seen: users for IAM users and root (an account has at
 * most a few thousand of those, by IAM's quota), sessions for every other
 * principal (role sessions, federated users), which anyone allowed to assume
 * a role can mint, one a sign-in, under any session name: those evict only
 * each other, not a user's remembered logins.
 */
#include "detect/ct.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/time.h"
#include "detect/ckpt.h"
#include "detect/state.h"

#define RECENT     4
#define PRINCIPALS (256 * 1024)
#define KEY_MAX    512
#define EARTH_KM   6371.0
#define MIN_HOURS  (1.0 / 60.0)
#define DEG        (3.14159265358979323846 / 180.0)

#define TRAVEL_STATE_VERSION 2u /* bump when the layout save writes changes */

struct login {
    int64_t time_ms; /* 0: empty slot */
    double lat, lon;
    struct cm_ip ip;
    struct cm_src_ref src;
};

struct recent {
    struct login v[RECENT];
    uint32_t next; /* slot the next login goes to */
};

struct travel {
    const struct cm_detect_config *cfg;
    struct cm_state *users;    /* account/IAM user or root -> struct recent */
    struct cm_state *sessions; /* account/any other principal -> struct recent */
    double min_km, max_kmh;
    int64_t window_ms;
    char info[256];
};

static int init(void **state, const struct cm_detect_opts *opts)
{
    struct travel *t = cm_calloc(1, sizeof(*t));
    const struct cm_detect_config *cfg = opts ? opts->config : NULL;
    struct cm_state_opts so = {
        .val_size = sizeof(struct recent),
        .max_entries = cfg && cfg->ct.travel_keys_max ? cfg->ct.travel_keys_max : PRINCIPALS,
        .seed = opts ? opts->seed : 0,
    };
    int rc;

    if (t == NULL) {
        return CM_ENOMEM;
    }
    t->cfg = cfg;
    t->min_km = cfg && cfg->ct.travel_min_km > 0 ? cfg->ct.travel_min_km : CM_CT_TRAVEL_MIN_KM;
    t->max_kmh = cfg && cfg->ct.travel_max_kmh > 0 ? cfg->ct.travel_max_kmh : CM_CT_TRAVEL_MAX_KMH;
    t->window_ms =
        cfg && cfg->ct.travel_window_ms > 0 ? cfg->ct.travel_window_ms : CM_CT_TRAVEL_WINDOW_MS;
    so.ttl_ms = t->window_ms;
    if ((rc = cm_state_create(&t->users, &so)) != 0) {
        cm_free(t);
        return rc;
    }
    so.seed ^= 1;
    if ((rc = cm_state_create(&t->sessions, &so)) != 0) {
        cm_state_destroy(t->users);
        cm_free(t);
        return rc;
    }
    *state = t;
    return 0;
}

static void finish(void *state)
{
    struct travel *t = state;

    if (t != NULL) {
        cm_state_destroy(t->users);
        cm_state_destroy(t->sessions);
        cm_free(t);
    }
}

static int tick(void *state, int64_t watermark_ms, struct cm_sink *sink)
{
    struct travel *t = state;

    (void)sink;
    cm_state_expire(t->users, watermark_ms, NULL, NULL);
    cm_state_expire(t->sessions, watermark_ms, NULL, NULL);
    return 0;
}

/* Great-circle distance in km (haversine). */
static double distance_km(double lat1, double lon1, double lat2, double lon2)
{
    double dlat = (lat2 - lat1) * DEG, dlon = (lon2 - lon1) * DEG;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * DEG) * cos(lat2 * DEG) * sin(dlon / 2) * sin(dlon / 2);

    return 2.0 * EARTH_KM * asin(sqrt(a < 1.0 ? a : 1.0));
}

static size_t user_key(const struct cm_event *ev, char *out)
{
    const struct cm_ct_identity *u = &ev->u.ct.uid;
    struct cm_str who = cm_str_present(u->arn) && u->arn.len ? u->arn : u->principal_id;
    size_t n;

    if (!cm_str_present(who) || who.len == 0 || ev->account.len + 1 + who.len > KEY_MAX) {
        return 0;
    }
    memcpy(out, ev->account.p, ev->account.len);
    n = ev->account.len;
    out[n++] = '/';
    memcpy(out + n, who.p, who.len);
    return n + who.len;
}

/* The table of the event's principal: IAM users and root, or the mintable rest. */
static struct cm_state *table_of(const struct travel *t, const struct cm_event *ev)
{
    enum cm_uid_type type = ev->u.ct.uid.type;

    return type == CM_UID_IAMUSER || type == CM_UID_ROOT ? t->users : t->sessions;
}

static int fire(struct travel *t, const struct cm_event *ev, const struct login *prev, double km,
                double kmh, struct cm_sink *sink)
{
    struct cm_detection d;
    char ip[64], when[32];

    cm_ip_format(&prev->ip, ip, sizeof(ip));
    cm_time_format_iso(prev->time_ms, when, sizeof(when));
    snprintf(t->info, sizeof(t->info),
             "{\"previousLogin\":{\"ipAddress\":\"%s\",\"time\":\"%s\"},\"distanceKm\":%.0f,"
             "\"speedKmh\":%.0f}",
             ip, when, km, kmh);
    cm_ct_detection(&d, ev, "UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B");
    d.first_ms = prev->time_ms < ev->time_ms ? prev->time_ms : ev->time_ms;
    d.nevidence = 2;
    d.evidence[0] = prev->src;
    d.evidence[1] = ev->src;
    d.info = cm_str_cstr(t->info);
    return cm_sink_emit(sink, &d);
}

static int on_event(void *state, const struct cm_event *ev, struct cm_sink *sink)
{
    struct travel *t = state;
    const struct cm_ct *ct = &ev->u.ct;
    struct login now;
    struct recent *r;
    const struct login *worst = NULL;
    double worst_kmh = 0, worst_km = 0;
    char key[KEY_MAX];
    size_t klen;

    if (t->cfg == NULL || t->cfg->locate == NULL || !cm_str_eqc(ct->event_name, "ConsoleLogin") ||
        !cm_ct_ok(ct) ||
        !cm_str_eqc(cm_ct_member(ct, ct->response_elements, "ConsoleLogin"), "Success") ||
        !cm_ip_is_public(&ct->source_ip) || (klen = user_key(ev, key)) == 0) {
        return 0;
    }
    memset(&now, 0, sizeof(now));
    if (!t->cfg->locate(t->cfg->locate_ud, &ct->source_ip, &now.lat, &now.lon)) {
        return 0;
    }
    now.time_ms = ev->time_ms;
    now.ip = ct->source_ip;
    now.src = ev->src;
    if ((r = cm_state_touch(table_of(t, ev), key, klen, ev->time_ms, NULL)) == NULL) {
        return CM_ENOMEM;
    }
    for (size_t i = 0; i < RECENT; i++) {
        const struct login *p = &r->v[i];
        int64_t dt = p->time_ms > now.time_ms ? p->time_ms - now.time_ms : now.time_ms - p->time_ms;
        double km, hours, kmh;
        if (p->time_ms == 0 || dt > t->window_ms) {
            continue;
        }
        km = distance_km(p->lat, p->lon, now.lat, now.lon);
        hours = (double)dt / 3600000.0;
        kmh = km / (hours > MIN_HOURS ? hours : MIN_HOURS);
        if (km >= t->min_km && kmh > t->max_kmh && kmh > worst_kmh) {
            worst = p, worst_kmh = kmh, worst_km = km;
        }
    }
    if (worst != NULL) {
        struct login prev = *worst;
        int rc;
        r->v[r->next] = now;
        r->next = (r->next + 1) % RECENT;
        rc = fire(t, ev, &prev, worst_km, worst_kmh, sink);
        return rc;
    }
    r->v[r->next] = now;
    r->next = (r->next + 1) % RECENT;
    return 0;
}

static void state_stats(const void *state, struct cm_state_stats *sum)
{
    const struct travel *t = state;

    cm_state_stats_add(sum, t->users);
    cm_state_stats_add(sum, t->sessions);
}

/* ---- checkpoints ------------------------------------------------------------------- */

/*
 * A principal's logins read back from a file: the ring position in range;
 * for every slot (on_event works out the time between for empty ones too) a
 * time whose difference with an event's cannot overflow, a place locate()
 * could give (finite), and an address of a known family.
 */
static bool recent_ok(const void *ud, const void *key, size_t klen, const void *val)
{
    const struct recent *r = val;

    (void)ud, (void)key, (void)klen;
    if (r->next >= RECENT) {
        return false;
    }
    for (size_t i = 0; i < RECENT; i++) {
        const struct login *l = &r->v[i];

        if (!cm_ckpt_time_set(l->time_ms) || !isfinite(l->lat) || !isfinite(l->lon) ||
            !cm_ckpt_ip_ok(&l->ip)) {
            return false;
        }
    }
    return true;
}

static void recent_refs(void *val, void (*fn)(void *fud, struct cm_src_ref *r), void *fud)
{
    struct recent *r = val;

    for (size_t i = 0; i < RECENT; i++) {
        if (r->v[i].time_ms != 0) {
            fn(fud, &r->v[i].src);
        }
    }
}

static const struct cm_state_codec recent_codec = {.check = recent_ok, .refs = recent_refs};

static int save(const void *state, struct cm_ckpt_w *w)
{
    const struct travel *t = state;
    int rc = cm_state_save(t->users, w, &recent_codec);

    return rc ? rc : cm_state_save(t->sessions, w, &recent_codec);
}

static int load(void *state, struct cm_ckpt_r *r)
{
    struct travel *t = state;
    int rc = cm_state_load(t->users, r, &recent_codec);

    return rc ? rc : cm_state_load(t->sessions, r, &recent_codec);
}

static const char *const types[] = {
    "UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B",
    NULL,
};

const struct cm_detector cm_detector_ct_travel = {
    .name = "cloudtrail-console-travel",
    .types = types,
    .kinds = CM_EV_MASK(CM_EV_CLOUDTRAIL),
    .init = init,
    .on_event = on_event,
    .on_tick = tick,
    .finish = finish,
    .state_stats = state_stats,
    .state_version = TRAVEL_STATE_VERSION,
    .save = save,
    .load = load,
};
