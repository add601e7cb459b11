/*
 * Trojan:EC2/DNSDataExfiltration (issue #7; dns_tunnel.h; the reasoning
 * with the numbers is in docs/detectors/dns-tunnel.md).
 *
 * A tunnel (iodine, dnscat2, dns2tcp, the OilRig and Symbiote implants)
 * writes data into the labels left of a registered domain its own
 * authoritative server answers for, one name per chunk: distinct, long
 * names shaped by an encoding, one after another under one domain. Host
 * names are words, numbered hosts, addresses and a few machine ids.
 *
 * Trigger, per (instance from srcids.instance, registered domain from the
 * Public Suffix List - never the last two labels), within window_ms: the distinct
 * sub-domains that look encoded (cm_dns_tunnel_shape) reach many_names
 * carrying many_bytes, or long_names carrying long_bytes, the bytes
 * counted at the encoding's density (base64 6 bits a character, base32/36
 * 5, hex 4, digits 3.3); or the distinct sub-domains asked for
 * data-bearing types (not A, AAAA, PTR, HTTPS, SVCB, CAA, NS, SOA, DS,
 * DNSKEY) reach data_names while at least two of the window's names looked
 * encoded (idle polls and downloads: counters asking for data, after an
 * encoded handshake); or DNSCAT_PACKETS distinct names read as dnscat2
 * packets of one session, DNSCAT_ECHOES of them answered with the
 * server's packets of that session (cm_dns_tunnel_dnscat: a session gives
 * itself away before it moves data); or, within slow_window_ms (24 h),
 * slow_names distinct encoded names carrying slow_bytes (a tunnel too slow
 * for any window: dns_tunnel_slow.c). Mostly-digit names count only for
 * data-bearing types: asked for an address they are numbered hosts. Never
 * judged: the allow lists (dns_tunnel_shape.c and tuning.allow), attribute
 * names left of a '_' label (DKIM selectors, ACM validation, AD GUIDs),
 * queries answered as a DNS list answers (127.0.0.x), queries not asked by
 * an instance.
 *
 * Emission, from on_event: when an (instance, domain) first crosses a
 * threshold, then at most once per window_ms while it goes on; count = the
 * counted queries since the previous detection (the first: its window's),
 * first_ms the earliest of them; from on_tick, when the entry of a pair
 * that fired expires (the end of input too), the queries counted after its
 * last detection, built from the newest of them (dns_tunnel_rec.c);
 * additionalInfo measures the window
 * (domain, uniqueSubdomains, dataTypeSubdomains, queries, bytes,
 * meanLength, longestLabel, entropy, encoding, queryTypes,
 * queriesPerMinute, windowSeconds; for a dnscat2 session also tool,
 * session, sessionPackets, serverPackets).
 *
 * Cost per query: one table-driven pass over the labels left of the last
 * two (the parser has split the name already), then, for names that look
 * encoded or ask for data, the allow list, the look-up, one cm_state touch.
 *
 * State: instance '\0' registered domain -> struct entry (the window's
 * counters, 32 exact name hashes turning into a HyperLogLog, a HyperLogLog
 * of the data-type names), TTL window_ms, memcap max_entries, evictions
 * counted; the same key -> struct slow in a second table (TTL
 * slow_window_ms); instance '\0' '\0' suffix -> a suffix's search-domain
 * learning in the first (dns_tunnel_search.c); checkpoints in
 * dns_tunnel_ckpt.c. A window starts at its earliest counted query (one older
 * than its start moves the start back while the window's queries stay
 * within window_ms of it; else it counts in the window it arrives in).
 */
#include "detect/dns_tunnel.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/hash.h"
#include "base/hll.h"
#include "detect/dns.h"
#include "detect/dns_tunings.h"
#include "detect/dns_tunnel_impl.h"

/*
 * Eight distinct encoded names carrying 200 bytes fire. On the tunnelling
 * captures of ../shared/data (derived-route53) the smallest uploads that
 * move a file are 8-15 names of 25-60 characters per domain (dnscat2's
 * handshake 8 names and 239 bytes; Saitama's slowest domain 10-15 names and
 * 180-270 bytes in 40 minutes). In the 10,000 generated background
 * sources of the eval no host asks more than one distinct encoded-looking
 * name of a domain that is not allow-listed in an hour (an Elastic Cloud
 * deployment id: 31 bytes), nor do the benign lists of netrack-learn and
 * top-domains; the thresholds leave room for a few such ids per service.
 */
#define CM_DNS_TUNNEL_MANY_NAMES 8u
#define CM_DNS_TUNNEL_MANY_BYTES 200u
/*
 * Fewer, longer names: 4 distinct names carrying 400 bytes (100 bytes each,
 * 130-270 characters of encoded data per query: dnscat2 and its Symbiote
 * port fill whole names) fire too. No benign name in the data carries more
 * than about 30 bytes.
 */
#define CM_DNS_TUNNEL_LONG_NAMES 4u
#define CM_DNS_TUNNEL_LONG_BYTES 400u
/*
 * 100 distinct sub-domains asked for data-bearing types in the window fire
 * whatever they look like. iodine idling polls with about 3,500 distinct
 * 8-character names an hour (NULL or TXT), Symbiote downloads with 500
 * counter names in 40 seconds (TXT), dnscat2 idles with 3,000-4,000 an
 * hour; the benign hosts of the data ask such types of at most a few
 * sub-domains per domain (attribute names are left out: _dmarc, DKIM).
 */
#define CM_DNS_TUNNEL_DATA_NAMES 100u
/*
 * Sub-domains of fewer than 10 characters are never judged: they carry at
 * most 7 bytes, and short machine-made labels (e1234, rr3---sn-x, o450123)
 * are everywhere in benign traffic.
 */
#define CM_DNS_TUNNEL_MIN_CHARS 10u
/*
 * One hour: the slowest implant in the data (Saitama, OilRig) spreads 44
 * queries over 40 minutes and three domains. Also the least time between
 * two detections of one (instance, domain) and the entries' TTL.
 */
#define CM_DNS_TUNNEL_WINDOW_MS (3600LL * 1000)
/*
 * Memcap: an entry is about 950 bytes of value (420 of counters, 528 of the
 * kept query a report at expiry is built from), 1,050 with its key and the
 * table's overhead; 65536 of them take at most about 66 MiB.
 * Entries exist only for pairs that asked encoded-looking names, or
 * data-bearing types of sub-domains, within the hour: a handful per
 * instance.
 */
#define CM_DNS_TUNNEL_MAX_ENTRIES (64u * 1024)
/*
 * Three domains: RogueRobin rotates one session over 6-10 look-alike
 * domains (onedrive.agency, 0ffice365.life...) with 2-15 names each, under
 * every per-domain threshold. A domain counts toward an instance's spread
 * only with two encoded names or answers in the window: the background's
 * one-off ids (a tenant or deployment id a service is reached by) never do.
 */
#define CM_DNS_TUNNEL_SPREAD_DOMAINS 3u
/*
 * A slow tunnel (dns_tunnel_slow.c): 48 distinct encoded names carrying 960
 * bytes within 24 hours, under every window's thresholds: two names an
 * hour of 20 bytes (32 base32 or 40 hex characters) all day, or one every
 * ten minutes for eight hours. The background's ids are a few per service,
 * asked again and again (one distinct name however often). A hash look-up
 * service that is not on the allow list, asked about two new files an hour
 * all day, fires too: such a zone belongs on tuning.allow.
 */
#define CM_DNS_TUNNEL_SLOW_NAMES     48u
#define CM_DNS_TUNNEL_SLOW_BYTES     960u
#define CM_DNS_TUNNEL_SLOW_WINDOW_MS (24LL * 3600 * 1000)

#define TYPE           "Trojan:EC2/DNSDataExfiltration"
#define DATA_MIN_CHARS 6 /* data-type names shorter than this are not counted */
/*
 * The data-type stream fires only when the domain also got this many
 * distinct encoded names in the window (a tunnel's handshake or upload:
 * iodine's idle sessions have 3 in half an hour), which keeps DNS
 * inventory and sub-domain enumeration tools (word lists asked for CNAME,
 * TXT and MX) quiet.
 */
#define DATA_ENCODED_MIN 2
#define MAX_WINDOW_MS    (7LL * 24 * 3600 * 1000)

/*
 * Bump when the layout save writes changes. 6: suffix entries (key instance
 * '\0' '\0' suffix, dns_tunnel_search.c); a file of version 5 has none and
 * is read as it is.
 */
#define DNS_TUNNEL_STATE_VERSION     6u
#define DNS_TUNNEL_STATE_VERSION_OLD 5u

static const char *const qtype_name[QT_COUNT] = {"A",     "AAAA", "TXT",  "NULL",
                                                 "CNAME", "MX",   "other"};

/* ---- the detector ---- */

static void defaults(struct cm_dns_tunnel_tuning *t)
{
    if (t->many_names == 0) {
        t->many_names = CM_DNS_TUNNEL_MANY_NAMES;
    }
    if (t->many_bytes == 0) {
        t->many_bytes = CM_DNS_TUNNEL_MANY_BYTES;
    }
    if (t->long_names == 0) {
        t->long_names = CM_DNS_TUNNEL_LONG_NAMES;
    }
    if (t->long_bytes == 0) {
        t->long_bytes = CM_DNS_TUNNEL_LONG_BYTES;
    }
    if (t->data_names == 0) {
        t->data_names = CM_DNS_TUNNEL_DATA_NAMES;
    }
    if (t->min_chars == 0) {
        t->min_chars = CM_DNS_TUNNEL_MIN_CHARS;
    }
    if (t->spread_domains == 0) {
        t->spread_domains = CM_DNS_TUNNEL_SPREAD_DOMAINS;
    }
    if (t->window_ms <= 0) {
        t->window_ms = CM_DNS_TUNNEL_WINDOW_MS;
    }
    if (t->max_entries == 0) {
        t->max_entries = CM_DNS_TUNNEL_MAX_ENTRIES;
    }
    if (t->slow_names == 0) {
        t->slow_names = CM_DNS_TUNNEL_SLOW_NAMES;
    }
    if (t->slow_bytes == 0) {
        t->slow_bytes = CM_DNS_TUNNEL_SLOW_BYTES;
    }
    if (t->slow_window_ms <= 0) {
        t->slow_window_ms = CM_DNS_TUNNEL_SLOW_WINDOW_MS;
    }
}

static void finish(void *state)
{
    struct dns_tunnel *st = state;

    if (st != NULL) {
        cm_state_destroy(st->keys);
        for (size_t i = 0; i < SLOW_TIERS; i++) {
            cm_state_destroy(st->slow[i]);
        }
        cm_free(st);
    }
}

int cm_dns_tunnel_init(void **state, const struct cm_detect_opts *opts,
                       const struct cm_dns_tunnel_tuning *t)
{
    struct dns_tunnel *st = cm_calloc(1, sizeof(*st));
    struct cm_state_opts so;
    int rc;

    if (st == NULL) {
        return CM_ENOMEM;
    }
    if (t != NULL) {
        st->t = *t;
    }
    defaults(&st->t);
    st->seed = opts ? opts->seed : 0;
    st->psl = opts && opts->config ? opts->config->psl : NULL;
    if (st->t.window_ms > MAX_WINDOW_MS || st->t.slow_window_ms > MAX_WINDOW_MS ||
        st->t.many_names > UINT16_MAX || st->t.long_names > UINT16_MAX ||
        (st->t.nallow > 0 && st->t.allow == NULL)) {
        rc = CM_EINVAL;
        goto fail;
    }
    for (size_t i = 0; i < st->t.nallow; i++) {
        struct cm_str a = st->t.allow[i];

        if (a.p == NULL || a.len == 0 || (a.len == 1 && a.p[0] == '.')) {
            rc = CM_EINVAL;
            goto fail;
        }
    }
    memset(&so, 0, sizeof(so));
    so.seed = st->seed;
    so.val_size = sizeof(struct entry);
    so.max_entries = st->t.max_entries;
    so.ttl_ms = st->t.window_ms;
    if ((rc = cm_state_create(&st->keys, &so)) != 0) {
        goto fail;
    }
    so.val_size = sizeof(struct slow);
    so.ttl_ms = st->t.slow_window_ms;
    for (size_t i = 0; i < SLOW_TIERS; i++) {
        so.seed = st->seed ^ (i + 1);
        if ((rc = cm_state_create(&st->slow[i], &so)) != 0) {
            goto fail;
        }
    }
    *state = st;
    return CM_OK;
fail:
    finish(st);
    return rc;
}

static int init(void **state, const struct cm_detect_opts *opts)
{
    const struct cm_detect_config *c = opts ? opts->config : NULL;

    return cm_dns_tunnel_init(state, opts, c && c->dns ? &c->dns->tunnel : NULL);
}

static enum qtype qtype_of(struct cm_str t)
{
    int i = 0;

    while (i < QT_OTHER && !cm_str_eqc(t, qtype_name[i])) {
        i++;
    }
    return (enum qtype)i;
}

/*
 * Record types that bring data back: not an address, a reverse name, a
 * service binding, a policy or the zone's own infrastructure.
 */
static bool data_type(struct cm_str t)
{
    const char *p = t.p;

    if (p == NULL) {
        return false;
    }
    switch (t.len) {
    case 0:
        return false;
    case 1:
        return p[0] != 'A';
    case 2:
        return !((p[0] == 'N' && p[1] == 'S') || (p[0] == 'D' && p[1] == 'S'));
    case 3:
        return memcmp(p, "PTR", 3) != 0 && memcmp(p, "CAA", 3) != 0 && memcmp(p, "SOA", 3) != 0;
    case 4:
        return memcmp(p, "AAAA", 4) != 0 && memcmp(p, "SVCB", 4) != 0;
    case 5:
        return memcmp(p, "HTTPS", 5) != 0;
    case 6:
        return memcmp(p, "DNSKEY", 6) != 0;
    default:
        return true;
    }
}

void cm_dns_tunnel_put_escaped(char *out, size_t cap, size_t *n, struct cm_str s)
{
    for (size_t i = 0; i < s.len && *n + 3 < cap; i++) {
        if (s.p[i] == '"' || s.p[i] == '\\') {
            out[(*n)++] = '\\';
        }
        out[(*n)++] = s.p[i];
    }
    out[*n] = '\0';
}

/* additionalInfo of entry e for registered domain dom, into st->info; returns its length. */
size_t cm_dns_tunnel_describe(struct dns_tunnel *st, const struct entry *e, struct cm_str dom,
                              uint32_t names, uint32_t bytes, uint32_t data_names)
{
    size_t n = 0, cap = sizeof(st->info);
    double enc = e->encoded ? e->encoded : 1;
    double minutes = (double)(e->last_ms - e->start_ms) / 60000.0;
    unsigned best = 0;
    int k;

    for (unsigned i = 1; i < 5; i++) {
        if (e->enc[i] > e->enc[best]) {
            best = i;
        }
    }
    n = (size_t)snprintf(st->info, cap, "{\"domain\":\"");
    cm_dns_tunnel_put_escaped(st->info, cap, &n, dom);
    k = snprintf(st->info + n, cap - n,
                 "\",\"uniqueSubdomains\":%u,\"dataTypeSubdomains\":%u,\"dataAnswers\":%u,"
                 "\"queries\":%u,\"bytes\":%u,\"meanLength\":%.1f,\"longestLabel\":%u,"
                 "\"entropy\":%.2f,\"encoding\":\"%s\",\"queryTypes\":{",
                 names, data_names, cm_dns_tunnel_answers_data(e) ? (unsigned)e->answers : 0u,
                 e->queries, bytes, e->sum_chars / enc, (unsigned)e->longest,
                 e->sum_ent / enc / 100.0, cm_dns_encoding_name((enum cm_dns_encoding)best));
    n += k > 0 && (size_t)k < cap - n ? (size_t)k : 0;
    for (int i = 0, first = 1; i < QT_COUNT; i++) {
        if (e->qtype[i] == 0) {
            continue;
        }
        k = snprintf(st->info + n, cap - n, "%s\"%s\":%u", first ? "" : ",", qtype_name[i],
                     (unsigned)e->qtype[i]);
        n += k > 0 && (size_t)k < cap - n ? (size_t)k : 0;
        first = 0;
    }
    k = snprintf(st->info + n, cap - n, "},\"queriesPerMinute\":%.1f,\"windowSeconds\":%lld",
                 e->queries / (minutes < 1.0 ? 1.0 : minutes), (long long)(st->t.window_ms / 1000));
    n += k > 0 && (size_t)k < cap - n ? (size_t)k : 0;
    if (cm_dns_tunnel_dnscat_session(e)) {
        k = snprintf(st->info + n, cap - n,
                     ",\"tool\":\"dnscat2\",\"session\":\"%04x\",\"sessionPackets\":%u,"
                     "\"serverPackets\":%u",
                     (unsigned)e->dc_session, (unsigned)e->dc_names, (unsigned)e->dc_echo);
        n += k > 0 && (size_t)k < cap - n ? (size_t)k : 0;
    }
    if (n + 1 < cap) {
        st->info[n++] = '}';
        st->info[n] = '\0';
    }
    return n;
}

/* Whether e, after its latest query, has crossed a threshold; fills the measures. */
bool cm_dns_tunnel_crossed(const struct dns_tunnel *st, const struct entry *e, uint32_t *names,
                           uint32_t *bytes, uint32_t *data_names)
{
    const struct cm_dns_tunnel_tuning *t = &st->t;

    *names = cm_dns_tunnel_distinct(e);
    *bytes = cm_dns_tunnel_carried(e, *names);
    if (!cm_dns_tunnel_answers_data(e)) {
        /*
         * The query names alone. Past the exact set the estimate minus the answers
         * also holds the estimate's error, which hundreds of distinct answers (a DNS
         * inventory scan of a zone with ids in its CNAMEs) turn into phantom names:
         * never more than the encoded query names counted (exactly in the set, every
         * one past it).
         */
        *names = *names > e->answers ? *names - e->answers : 0;
        *names = *names < e->qnames ? *names : e->qnames;
        *bytes = *bytes > e->ans_bits / 8 ? *bytes - e->ans_bits / 8 : 0;
    }
    *data_names = e->data_q > 0 ? cm_dns_tunnel_data_distinct(e) : 0;
    return (*names >= t->many_names && *bytes >= t->many_bytes) ||
           (*names >= t->long_names && *bytes >= t->long_bytes) ||
           (*data_names >= t->data_names && e->qn >= DATA_ENCODED_MIN) ||
           cm_dns_tunnel_dnscat_session(e);
}

/*
 * Domain entry e (key st->key[0..klen), its instance's the first ilen bytes)
 * is about to report its pending queries: what it handed to its instance's
 * spread entry comes back unless the spread reported it (cm_dns_tunnel_settle).
 */
static void take_back(struct dns_tunnel *st, size_t ilen, size_t klen, int64_t t, struct entry *e,
                      struct slow *sl)
{
    if (e->sp_given > 0) {
        cm_dns_tunnel_settle(st, klen, t, e, cm_state_get(st->keys, st->key, ilen), sl,
                             SETTLE_TAKE_BACK);
    }
}

/*
 * Counts a query of sub under d's registered domain, encoded as shape says
 * (or not: CM_DNS_ENC_NONE) and of a data-bearing type or not; may emit.
 */
static int count(struct dns_tunnel *st, const struct cm_event *ev, const struct cm_domain *d,
                 struct cm_str sub, const struct cm_dns_name_shape *shape, bool data,
                 struct cm_sink *sink)
{
    const struct cm_dns *q = &ev->u.dns;
    struct cm_str inst = q->srcid_instance, dom = cm_domain_registered(d);
    int64_t t = ev->time_ms;
    struct cm_detection det;
    struct entry *e;
    struct slow *sl = NULL;
    uint32_t names, bytes, data_names, h;
    size_t klen = inst.len + 1 + dom.len;
    enum qtype qt;

    if (inst.len > INSTANCE_MAX || klen > sizeof(st->key)) {
        return CM_OK;
    }
    memcpy(st->key, inst.p, inst.len);
    st->key[inst.len] = '\0';
    memcpy(st->key + inst.len + 1, dom.p, dom.len);
    h = (uint32_t)cm_hash64(sub.p, sub.len, st->seed);
    if (shape->enc != CM_DNS_ENC_NONE &&
        (sl = cm_dns_tunnel_slow_add(st, klen, t, h, shape)) == NULL) {
        return CM_ENOMEM;
    }
    /* e's window ends: what it handed its instance's spread entry is settled first. */
    if ((e = cm_state_get(st->keys, st->key, klen)) != NULL && e->sp_given > 0 &&
        t >= e->start_ms + st->t.window_ms) {
        cm_dns_tunnel_settle(st, klen, t, e, cm_state_get(st->keys, st->key, inst.len + 1), sl,
                             SETTLE_WINDOW_END);
    }
    if ((e = cm_dns_tunnel_touch(st, klen, t)) == NULL) {
        return CM_ENOMEM;
    }
    if (e->reported_ms == INT64_MIN && sl != NULL && sl->reported_ms != INT64_MIN &&
        t >= sl->reported_ms && t - sl->reported_ms < st->t.slow_window_ms) {
        /* a slow tunnel's queries after its detection: this entry's expiry reports them */
        e->reported_ms = sl->reported_ms;
    }
    if (shape->enc != CM_DNS_ENC_NONE) {
        bool fresh = cm_dns_tunnel_item_add(e, h, shape);

        if (fresh) {
            cm_dns_tunnel_dnscat_add(e, q, sub, dom);
        }
        if (fresh || e->full) {
            e->qnames += e->qnames < UINT32_MAX;
        }
        if (e->qn == 0 || (e->qn == 1 && h != e->qn_first)) {
            e->qn_first = e->qn == 0 ? h : e->qn_first;
            e->qn++;
        }
    }
    cm_dns_tunnel_answers_add(st, e, q, sub, dom);
    if (data) {
        struct cm_hll hll = {e->data_hll, HLL_P, false};

        cm_hll_add(&hll, cm_hash_mix64(h));
        e->data_q++;
    }
    if (e->pending == 0 || t < e->first_ms) {
        e->first_ms = t;
    }
    e->pending++;
    e->queries++;
    qt = qtype_of(q->query_type);
    e->qtype[qt] = cm_dns_tunnel_inc16(e->qtype[qt]);
    if (t > e->last_ms) {
        e->last_ms = t;
    }
    if (e->reported_ms != INT64_MIN && t >= e->last.time_ms) {
        cm_dns_kept_set(&e->last, ev, dom); /* what a report at expiry is built from (on_tick) */
    }
    if ((e->reported_ms == INT64_MIN || t >= e->reported_ms + st->t.window_ms) &&
        (e->names >= st->t.many_names || e->names >= st->t.long_names || e->full ||
         e->data_q >= st->t.data_names || e->dc_echo >= DNSCAT_ECHOES) &&
        cm_dns_tunnel_crossed(st, e, &names, &bytes, &data_names)) {
        take_back(st, inst.len + 1, klen, t, e, sl); /* the slow entry's count goes to 0 below */
        cm_dns_detection(&det, ev, TYPE);
        det.count = e->pending;
        det.first_ms = e->first_ms < t ? e->first_ms : t;
        det.info =
            cm_str_make(st->info, cm_dns_tunnel_describe(st, e, dom, names, bytes, data_names));
        e->pending = 0;
        e->reported_ms = t;
        if (sl != NULL || (sl = cm_dns_tunnel_slow_get(st, klen)) != NULL) {
            cm_dns_tunnel_slow_fired(sl, t);
        }
        return cm_sink_emit(sink, &det);
    }
    if (sl != NULL && cm_dns_tunnel_slow_due(st, sl, t)) {
        take_back(st, inst.len + 1, klen, t, e, sl);
        return cm_dns_tunnel_slow_emit(st, sl, e, ev, dom, sink);
    }
    /* Reported within the window: counted for the next detection. Else maybe part of a spread. */
    if (e->reported_ms == INT64_MIN && !e->full &&
        (e->names >= SPREAD_MIN || e->sp_window != INT64_MIN)) {
        return cm_dns_tunnel_spread(st, ev, inst.len + 1, klen, sl, sink);
    }
    return CM_OK;
}

/* Whether p[0..n) holds a capital letter. */
static bool has_upper(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] >= 'A' && p[i] <= 'Z') {
            return true;
        }
    }
    return false;
}

/* The bytes of a name on the wire, from its text: an escape (\DDD, \X) is one byte. */
static size_t wire_len(const char *p, size_t n)
{
    size_t w = 0;

    for (size_t i = 0; i < n; w++) {
        if (p[i] != '\\' || i + 1 >= n) {
            i++;
        } else if (i + 3 < n && p[i + 1] >= '0' && p[i + 1] <= '9' && p[i + 2] >= '0' &&
                   p[i + 2] <= '9' && p[i + 3] >= '0' && p[i + 3] <= '9') {
            i += 4;
        } else {
            i += 2;
        }
    }
    return w;
}

/*
 * The registered domain of name[0..n) into *d, asked by an instance; *off
 * is where d's text starts in name. The parser splits every name of up to
 * CM_DOMAIN_MAX characters (off 0). A longer one is a name only when
 * escapes make it so (raw bytes written \DDD: its wire form still
 * fits); its rightmost labels that fit hold the registered domain, and are
 * split here.
 */
static bool split_name(const struct dns_tunnel *st, const struct cm_event *ev, const char *name,
                       size_t n, struct cm_domain *d, size_t *off)
{
    size_t j;

    *off = 0;
    if (n <= CM_DOMAIN_MAX || ev->u.dns.qname_ok) {
        return cm_dns_from_instance(ev, d) && d->reg > 0 && d->reg < d->len;
    }
    if (wire_len(name, n) > CM_DOMAIN_MAX) {
        return false;
    }
    for (j = n - CM_DOMAIN_MAX; j < n && name[j - 1] != '.'; j++) {
    }
    if (j >= n || cm_domain_parse_psl(st->psl, cm_str_make(name + j, n - j), d) != 0 ||
        d->reg >= d->len) {
        return false;
    }
    *off = j;
    return true;
}

static int on_event(void *state, const struct cm_event *ev, struct cm_sink *sink)
{
    struct dns_tunnel *st = state;
    const struct cm_dns *q = &ev->u.dns;
    struct cm_dns_name_shape shape;
    struct cm_domain d;
    struct cm_str sub, zone;
    const char *name = q->query_name.p;
    size_t n, cut = 0, off, plen;
    int dots = 0, rc;
    bool data, folded;

    if (ev->kind != CM_EV_DNS || q->srcid_instance.p == NULL || q->srcid_instance.len == 0 ||
        name == NULL) {
        return CM_OK;
    }
    n = q->query_name.len;
    if (n > 0 && name[n - 1] == '.') {
        n--;
    }
    /* The labels left of the last two: every sub-domain lies within them. */
    for (size_t i = n; i-- > 0;) {
        if (name[i] == '.' && ++dots == 2) {
            cut = i;
            break;
        }
    }
    if (dots < 2 || n > TEXT_MAX || (cut < st->t.min_chars && cut < DATA_MIN_CHARS)) {
        return CM_OK;
    }
    /*
     * A query answered with raw data is a data-bearing one whatever its type
     * (the answers are read only for names that may be judged at all).
     */
    data = data_type(q->query_type) || (q->nans > 0 && cm_dns_tunnel_raw_answer(q));
    if (cut < st->t.min_chars && !data) {
        return CM_OK;
    }
    /*
     * Answered as a DNS list answers (127.0.0.x: RFC 5782): a hash or reputation look-up
     * whatever its zone. Before 2026-12-08 an antivirus agent asking a vendor's service
     * about two new files an hour (40 hex characters each, 127.0.0.1 or .2 back) fired the
     * slow rule once a day when the zone was not on the allow list.
     */
    if (!data && cm_dns_tunnel_listing_answer(q)) {
        return CM_OK;
    }
    /*
     * Capitals in the last two labels: the client (or a forwarder doing DNS
     * 0x20) randomises case, which then says nothing; a tunnel never writes
     * its own domain so. Such a name is judged lowercase.
     */
    folded = has_upper(name + cut, n - cut);
    if (folded) {
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)name[i];

            st->lower[i] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
        }
        name = st->lower;
    }
    cm_dns_tunnel_classify(cm_str_make(name, cut), st->t.min_chars, data, &shape);
    if (shape.enc == CM_DNS_ENC_DIGITS && !data) {
        shape.enc = CM_DNS_ENC_NONE; /* a numbered host */
    }
    if ((shape.enc == CM_DNS_ENC_NONE && (!data || shape.chars < DATA_MIN_CHARS)) ||
        cm_dns_tunnel_allowed(cm_str_make(name, n), st->t.allow, st->t.nallow)) {
        return CM_OK;
    }
    /* A search-list expansion of an allow-listed name: judged unless its suffix is learned. */
    if (cm_str_eqc(q->rcode, "NXDOMAIN") &&
        (plen = cm_dns_tunnel_expansion_prefix(cm_str_make(name, n), st->t.allow, st->t.nallow,
                                               &zone)) > 0 &&
        (rc = cm_dns_tunnel_search(st, ev, cm_str_make(name, n), plen, zone)) != 0) {
        return rc < 0 ? rc : CM_OK;
    }
    if (!split_name(st, ev, name, n, &d, &off)) {
        return CM_OK;
    }
    /*
     * The sub-domain as logged (case kept) when the normalised name lines up
     * with it; all that is left of the registered domain when d holds the tail.
     */
    if (off > 0) {
        sub = cm_str_make(name, off + d.reg - 1);
    } else {
        sub = d.len == n && !folded ? cm_str_make(name, d.reg - 1) : cm_domain_subdomain(&d);
    }
    if (sub.len != cut) {
        cm_dns_tunnel_classify(sub, st->t.min_chars, data, &shape);
        if (shape.enc == CM_DNS_ENC_DIGITS && !data) {
            shape.enc = CM_DNS_ENC_NONE;
        }
        if (shape.enc == CM_DNS_ENC_NONE && (!data || shape.chars < DATA_MIN_CHARS)) {
            return CM_OK;
        }
    }
    return count(st, ev, &d, sub, &shape, data, sink);
}

/*
 * Expires the tables; an expiring window entry reports what it counted
 * after its last detection (cm_dns_tunnel_expire_cb), in the table's
 * recency order.
 */
static int on_tick(void *state, int64_t watermark_ms, struct cm_sink *sink)
{
    struct dns_tunnel *st = state;
    struct cm_dns_tunnel_expiry x = {st, sink, CM_OK};

    cm_state_expire(st->keys, watermark_ms, cm_dns_tunnel_expire_cb, &x);
    for (size_t i = 0; i < SLOW_TIERS; i++) {
        cm_state_expire(st->slow[i], watermark_ms, NULL, NULL);
    }
    return x.rc;
}

static void state_stats(const void *state, struct cm_state_stats *sum)
{
    const struct dns_tunnel *st = state;

    cm_state_stats_add(sum, st->keys);
    for (size_t i = 0; i < SLOW_TIERS; i++) {
        cm_state_stats_add(sum, st->slow[i]);
    }
    sum->inserts -= st->slow_moves; /* a move to another tier made no new entry */
}

static const char *const types[] = {TYPE, NULL};

const struct cm_detector cm_detector_dns_tunnel = {
    .name = "dns-tunnel",
    .types = types,
    .kinds = CM_EV_MASK(CM_EV_DNS),
    .init = init,
    .on_event = on_event,
    .on_tick = on_tick,
    .finish = finish,
    .state_stats = state_stats,
    .state_version = DNS_TUNNEL_STATE_VERSION,
    .save = cm_dns_tunnel_save,
    .load = cm_dns_tunnel_load,
    .state_version_old = DNS_TUNNEL_STATE_VERSION_OLD,
    .load_old = cm_dns_tunnel_load_old,
};
