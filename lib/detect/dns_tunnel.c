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
 * itself away before it moves data). Mostly-digit names count only for
 * data-bearing types: asked for an address they are numbered hosts. Never
 * judged: the allow lists (dns_tunnel_shape.c and tuning.allow), attribute
 * names left of a '_' label (DKIM selectors, ACM validation, AD GUIDs),
 * queries not asked by an instance.
 *
 * Emission, from on_event only: when an (instance, domain) first crosses a
 * threshold, then at most once per window_ms while it goes on; count = the
 * counted queries since the previous detection (the first: its window's),
 * first_ms the earliest of them; additionalInfo measures the window
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
 * counted. A window starts at its first counted query; late records count
 * in the window they arrive in.
 */
#include "detect/dns_tunnel.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/hash.h"
#include "base/hll.h"
#include "detect/ckpt.h"
#include "detect/dns.h"
#include "detect/dns_tunings.h"

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
 * Memcap: an entry is about 420 bytes of value, 525 with its key and the
 * table's overhead; 65536 of them take at most about 34 MiB.
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
 * A dnscat2 session (cm_dns_tunnel_dnscat): four distinct packet names of
 * one session under a domain, two of them answered by a packet of the same
 * session and type with an id of its own (the server speaking dnscat2
 * back), fire whatever they carried. Symbiote's handshake in the data (a
 * SYN and four empty MSG polls in four seconds, 59 bytes) stays under every
 * other threshold. A random hex name passes as a packet one time in 128;
 * four of one session, two answers echoing it, do not happen by chance, and
 * a name answered with itself (a CNAME to the same id) is no echo.
 */
#define DNSCAT_PACKETS 4u
#define DNSCAT_ECHOES  2u

#define TYPE           "Trojan:EC2/DNSDataExfiltration"
#define SET_MAX        32 /* exact distinct-name hashes before the HyperLogLog */
#define DATA_MIN_CHARS 6  /* data-type names shorter than this are not counted */
/*
 * The data-type stream fires only when the domain also got this many
 * distinct encoded names in the window (a tunnel's handshake or upload:
 * iodine's idle sessions have 3 in half an hour), which keeps DNS
 * inventory and sub-domain enumeration tools (word lists asked for CNAME,
 * TXT and MX) quiet.
 */
#define DATA_ENCODED_MIN 2
#define HLL_P            7   /* 128 registers: about 9% error, past 32 names only */
#define KEY_MAX          512 /* instance id, '\0', registered domain */
#define INSTANCE_MAX     128 /* longer instance ids are not EC2's: skipped */
#define MAX_WINDOW_MS    (7LL * 24 * 3600 * 1000)
#define INFO_MAX         768
#define SPREAD_MIN       2 /* encoded items of a domain before it counts toward its instance */
#define ANSWER_SALT      0x9e3779b97f4a7c15ULL /* answers hash apart from names */

#define DNS_TUNNEL_STATE_VERSION 2u /* bump when the layout save writes changes */

/* Query types counted for additionalInfo, in this order ("other" last). */
enum qtype { QT_A = 0, QT_AAAA, QT_TXT, QT_NULL, QT_CNAME, QT_MX, QT_OTHER, QT_COUNT };

static const char *const qtype_name[QT_COUNT] = {"A",     "AAAA", "TXT",  "NULL",
                                                 "CNAME", "MX",   "other"};

/* The distinct names of a window: exact hashes, then a HyperLogLog. */
union names {
    uint32_t set[SET_MAX];
    uint8_t hll[1u << HLL_P];
};

/* One (instance, registered domain): its current window. */
struct entry {
    int64_t start_ms;    /* the window's start: its first counted query */
    int64_t last_ms;     /* the newest counted query */
    int64_t first_ms;    /* the earliest query not yet reported */
    int64_t reported_ms; /* the latest detection; INT64_MIN: none */
    uint32_t queries;    /* counted queries (encoded, or of a data-bearing type) */
    uint32_t pending;    /* counted queries not yet reported */
    uint32_t encoded;    /* encoded queries */
    uint32_t names;      /* distinct encoded names in the set (SET_MAX once full) */
    uint32_t bits;       /* data bits of the distinct names in the set */
    uint32_t sum_bits;   /* data bits of every encoded query of the window */
    uint32_t sum_chars;  /* judged characters of every encoded query */
    uint32_t sum_ent;    /* entropies of every encoded query, in 1/100 bit */
    uint32_t full_q;     /* encoded queries and bits when the set filled */
    uint32_t full_bits;
    uint32_t data_q; /* queries of a data-bearing type */
    uint16_t longest;
    uint16_t qtype[QT_COUNT];
    uint16_t enc[5];   /* encoded queries per enum cm_dns_encoding */
    uint16_t answers;  /* encoded answers of the window: distinct ones, every one once full */
    uint16_t answered; /* counted queries that got answers */
    uint32_t ans_bits; /* data bits of the distinct encoded answers */
    uint16_t domains;  /* the instance's spread entry: domains counted in the window */
    uint32_t sp_names; /* a domain's names and bits already added to its instance's spread */
    uint32_t sp_bits;
    int64_t sp_window; /* the spread window they were added to; INT64_MIN: none */
    uint32_t qn_first; /* the first encoded query name's hash ... */
    uint8_t qn;        /* ... and the distinct encoded query names, up to 2 */
    uint32_t sp_given; /* pending queries handed to the instance's spread entry ... */
    int64_t sp_epoch;  /* ... since its detection at this time (its reported_ms then) */
    uint8_t full;      /* names.hll is in use */
    uint8_t dc_names;  /* distinct names of the dnscat2 session dc_session, up to 255 ... */
    uint8_t dc_echo;   /* ... and those its server answered with a packet of the session */
    uint16_t dc_session;
    union names u;
    uint8_t data_hll[1u << HLL_P]; /* distinct names asked for data-bearing types */
};

struct dns_tunnel {
    struct cm_dns_tunnel_tuning t;
    struct cm_state *keys;
    uint64_t seed;
    char key[KEY_MAX];
    char lower[CM_DOMAIN_MAX + 1]; /* a case-randomised name, lowercased */
    char info[INFO_MAX];           /* additionalInfo of the detection being emitted */
};

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
}

static void finish(void *state)
{
    struct dns_tunnel *st = state;

    if (st != NULL) {
        cm_state_destroy(st->keys);
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
    if (st->t.window_ms > MAX_WINDOW_MS || st->t.many_names > UINT16_MAX ||
        st->t.long_names > UINT16_MAX || (st->t.nallow > 0 && st->t.allow == NULL)) {
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

static int on_tick(void *state, int64_t watermark_ms, struct cm_sink *sink)
{
    struct dns_tunnel *st = state;

    (void)sink;
    cm_state_expire(st->keys, watermark_ms, NULL, NULL);
    return CM_OK;
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

/* Starts a new window at t; what was not reported stays pending once something was. */
static void window_reset(struct entry *e, int64_t t)
{
    int64_t reported = e->reported_ms, first = e->first_ms;
    uint32_t pending = e->pending;

    memset(e, 0, sizeof(*e));
    e->sp_window = INT64_MIN;
    e->start_ms = e->last_ms = t;
    e->reported_ms = reported;
    e->first_ms = reported == INT64_MIN || pending == 0 ? t : first;
    e->pending = reported == INT64_MIN ? 0 : pending;
}

/* The entry of key st->key[0..klen) at time t, in a window that holds t; NULL: CM_ENOMEM. */
static struct entry *touch(struct dns_tunnel *st, size_t klen, int64_t t)
{
    bool created;
    struct entry *e = cm_state_touch(st->keys, st->key, klen, t, &created);

    if (e != NULL && created) {
        e->reported_ms = INT64_MIN;
        window_reset(e, t);
    } else if (e != NULL && t >= e->start_ms + st->t.window_ms) {
        window_reset(e, t);
    }
    return e;
}

/* Adds name hash h to e's distinct names; returns whether it is new (in set mode). */
static bool name_add(struct entry *e, uint32_t h)
{
    struct cm_hll hll = {e->u.hll, HLL_P, false};

    if (!e->full) {
        uint32_t set[SET_MAX];

        for (uint32_t i = 0; i < e->names; i++) {
            if (e->u.set[i] == h) {
                return false;
            }
        }
        if (e->names < SET_MAX) {
            e->u.set[e->names++] = h;
            return true;
        }
        /* Full: the hashes move into the HyperLogLog. */
        memcpy(set, e->u.set, sizeof(set));
        memset(e->u.hll, 0, sizeof(e->u.hll));
        for (uint32_t i = 0; i < SET_MAX; i++) {
            cm_hll_add(&hll, cm_hash_mix64(set[i]));
        }
        e->full = 1;
        e->full_q = e->encoded;
        e->full_bits = e->sum_bits;
    }
    cm_hll_add(&hll, cm_hash_mix64(h));
    return false;
}

/* Distinct names of the window. */
static uint32_t distinct(const struct entry *e)
{
    struct cm_hll hll = {(uint8_t *)(uintptr_t)e->u.hll, HLL_P, false};
    uint64_t n;

    if (!e->full) {
        return e->names;
    }
    n = cm_hll_count(&hll);
    return n < SET_MAX ? SET_MAX : n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

/* Bytes of data the distinct names carry: exact in set mode, extrapolated past it. */
static uint32_t carried(const struct entry *e, uint32_t names)
{
    uint64_t bits = e->bits;

    if (e->full && names > SET_MAX && e->encoded > e->full_q) {
        bits +=
            (uint64_t)(e->sum_bits - e->full_bits) * (names - SET_MAX) / (e->encoded - e->full_q);
    }
    bits /= 8;
    return bits > UINT32_MAX ? UINT32_MAX : (uint32_t)bits;
}

/* Appends s to out[*n] JSON-escaped (printable ASCII: only '"' and '\\' need it). */
static void put_escaped(char *out, size_t cap, size_t *n, struct cm_str s)
{
    for (size_t i = 0; i < s.len && *n + 3 < cap; i++) {
        if (s.p[i] == '"' || s.p[i] == '\\') {
            out[(*n)++] = '\\';
        }
        out[(*n)++] = s.p[i];
    }
    out[*n] = '\0';
}

/* Distinct names of the window asked for data-bearing types. */
static uint32_t data_distinct(const struct entry *e)
{
    struct cm_hll hll = {(uint8_t *)(uintptr_t)e->data_hll, HLL_P, false};
    uint64_t n = cm_hll_count(&hll);

    return n > e->data_q ? e->data_q : (uint32_t)n;
}

/*
 * Whether e's encoded answers count: when at least half the answered
 * queries got one. A tunnel's server answers with data nearly every time;
 * a real zone has a token or an id here and there among its answers, which
 * a sub-domain enumeration would otherwise add up.
 */
static bool answers_data(const struct entry *e)
{
    return e->answers > 0 && (uint32_t)e->answers * 4 >= (uint32_t)e->answered * 3;
}

/* Whether e holds a dnscat2 session: DNSCAT_PACKETS names, DNSCAT_ECHOES answered in kind. */
static bool dnscat(const struct entry *e)
{
    return e->dc_names >= DNSCAT_PACKETS && e->dc_echo >= DNSCAT_ECHOES;
}

/* additionalInfo of entry e for registered domain dom, into st->info; returns its length. */
static size_t describe(struct dns_tunnel *st, const struct entry *e, struct cm_str dom,
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
    put_escaped(st->info, cap, &n, dom);
    k = snprintf(st->info + n, cap - n,
                 "\",\"uniqueSubdomains\":%u,\"dataTypeSubdomains\":%u,\"dataAnswers\":%u,"
                 "\"queries\":%u,\"bytes\":%u,\"meanLength\":%.1f,\"longestLabel\":%u,"
                 "\"entropy\":%.2f,\"encoding\":\"%s\",\"queryTypes\":{",
                 names, data_names, answers_data(e) ? (unsigned)e->answers : 0u, e->queries, bytes,
                 e->sum_chars / enc, (unsigned)e->longest, e->sum_ent / enc / 100.0,
                 cm_dns_encoding_name((enum cm_dns_encoding)best));
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
    if (dnscat(e)) {
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

static uint16_t inc16(uint16_t v)
{
    return v < UINT16_MAX ? (uint16_t)(v + 1) : v;
}

/* Whether e, after its latest query, has crossed a threshold; fills the measures. */
static bool crossed(const struct dns_tunnel *st, const struct entry *e, uint32_t *names,
                    uint32_t *bytes, uint32_t *data_names)
{
    const struct cm_dns_tunnel_tuning *t = &st->t;

    *names = distinct(e);
    *bytes = carried(e, *names);
    if (!answers_data(e)) {
        *names = *names > e->answers ? *names - e->answers : 0;
        *bytes = *bytes > e->ans_bits / 8 ? *bytes - e->ans_bits / 8 : 0;
    }
    *data_names = e->data_q > 0 ? data_distinct(e) : 0;
    return (*names >= t->many_names && *bytes >= t->many_bytes) ||
           (*names >= t->long_names && *bytes >= t->long_bytes) ||
           (*data_names >= t->data_names && e->qn >= DATA_ENCODED_MIN) || dnscat(e);
}

/*
 * Counts an encoded item (a name, or an answer) with hash h and shape s
 * into e; returns whether it is new to the window's exact set.
 */
static bool item_add(struct entry *e, uint32_t h, const struct cm_dns_name_shape *s)
{
    bool fresh = name_add(e, h);

    if (fresh) {
        e->bits += s->bits;
    }
    e->encoded++;
    e->sum_bits += s->bits;
    e->sum_chars += s->chars;
    e->sum_ent += (uint32_t)(s->entropy * 100.0 + 0.5);
    if (s->longest > e->longest) {
        e->longest = (uint16_t)(s->longest > UINT16_MAX ? UINT16_MAX : s->longest);
    }
    e->enc[s->enc] = inc16(e->enc[s->enc]);
    return fresh;
}

static uint8_t inc8(uint8_t v)
{
    return v < UINT8_MAX ? (uint8_t)(v + 1) : v;
}

/*
 * Counts sub, a name new to e's window asked in q under registered domain
 * dom, when it reads as a dnscat2 packet: toward the window's session (the
 * first packet's, or a later one's while the session has one name), and
 * as answered when an answer is a packet of the same session and type with
 * another id.
 */
static void dnscat_add(struct entry *e, const struct cm_dns *q, struct cm_str sub,
                       struct cm_str dom)
{
    struct cm_dnscat_packet p, a;

    if (!cm_dns_tunnel_dnscat(sub, &p)) {
        return;
    }
    if (p.session != e->dc_session || e->dc_names == 0) {
        if (e->dc_names > 1) {
            return; /* another session beside an established one: the volume rules' */
        }
        e->dc_session = p.session;
        e->dc_names = e->dc_echo = 0;
    }
    e->dc_names = inc8(e->dc_names);
    for (uint32_t k = 0; k < q->nans; k++) {
        struct cm_str data;

        if (cm_dns_tunnel_answer_data(&q->ans[k], dom, &data) && cm_dns_tunnel_dnscat(data, &a) &&
            a.session == p.session && a.type == p.type && a.id != p.id) {
            e->dc_echo = inc8(e->dc_echo);
            break;
        }
    }
}

/* Counts the encoded data in the answers of q, a query under registered domain dom, into e. */
static void answers_add(const struct dns_tunnel *st, struct entry *e, const struct cm_dns *q,
                        struct cm_str sub, struct cm_str dom)
{
    /* Attribute names (_acme-challenge, _domainkey...) are answered with tokens and keys. */
    for (size_t i = 0; i < sub.len; i++) {
        if (sub.p[i] == '_' && (i == 0 || sub.p[i - 1] == '.')) {
            return;
        }
    }
    if (q->nans > 0) {
        e->answered = inc16(e->answered);
    }
    for (uint32_t k = 0; k < q->nans; k++) {
        struct cm_dns_name_shape s;
        struct cm_str data;
        uint32_t before = e->names;

        if (!cm_dns_tunnel_answer_data(&q->ans[k], dom, &data) ||
            cm_dns_tunnel_classify_answer(data, st->t.min_chars, &s) == CM_DNS_ENC_NONE) {
            continue;
        }
        item_add(e, (uint32_t)(cm_hash64(data.p, data.len, st->seed ^ ANSWER_SALT)), &s);
        /* Once the set is a HyperLogLog, new and repeated answers look alike: count each. */
        if (e->names > before || e->full) {
            e->answers = inc16(e->answers);
            e->ans_bits += s.bits;
        }
    }
}

/*
 * Every query is reported once: the queries domain entry e handed to its
 * instance's spread entry x (NULL: gone) leave e's pending count when x has
 * reported them since; with give_back, the ones x has not reported come
 * back to e (which is about to report them itself).
 */
static void settle(struct entry *e, struct entry *x, bool give_back)
{
    if (e->sp_given == 0) {
        return;
    }
    if (x != NULL && x->reported_ms != e->sp_epoch) {
        e->pending -= e->sp_given < e->pending ? e->sp_given : e->pending;
    } else if (x != NULL && give_back) {
        x->pending -= e->sp_given < x->pending ? e->sp_given : x->pending;
    } else if (!give_back) {
        return;
    }
    e->sp_given = 0;
}

/* additionalInfo of the spread entry x of an instance, into st->info; returns its length. */
static size_t describe_spread(struct dns_tunnel *st, const struct entry *x, struct cm_str dom)
{
    size_t n = 0, cap = sizeof(st->info);
    double minutes = (double)(x->last_ms - x->start_ms) / 60000.0;
    int k;

    n = (size_t)snprintf(st->info, cap, "{\"domain\":\"");
    put_escaped(st->info, cap, &n, dom);
    k = snprintf(st->info + n, cap - n,
                 "\",\"spread\":true,\"domains\":%u,\"uniqueSubdomains\":%u,\"queries\":%u,"
                 "\"bytes\":%u,\"queriesPerMinute\":%.1f,\"windowSeconds\":%lld}",
                 (unsigned)x->domains, x->names, x->queries, x->bits / 8,
                 x->queries / (minutes < 1.0 ? 1.0 : minutes), (long long)(st->t.window_ms / 1000));
    n += k > 0 && (size_t)k < cap - n ? (size_t)k : 0;
    return n;
}

/*
 * The query of ev counted under the (instance, domain) entry at st->key
 * (klen bytes; its first ilen are the instance's key, "instance\0"), a
 * domain with SPREAD_MIN encoded items not reported on its own: adds what
 * is new of it to the instance's spread entry, which fires when
 * spread_domains such domains together reach many_names and many_bytes.
 */
static int spread(struct dns_tunnel *st, const struct cm_event *ev, size_t ilen, size_t klen,
                  struct cm_sink *sink)
{
    int64_t t = ev->time_ms, from;
    struct cm_detection det;
    struct entry *x, *e;
    uint32_t names, bits, give;

    if ((x = touch(st, ilen, t)) == NULL) {
        return CM_ENOMEM;
    }
    /* The domain's entry again: touching the instance's may have evicted it (a tiny memcap). */
    if ((e = cm_state_get(st->keys, st->key, klen)) == NULL) {
        return CM_OK;
    }
    /* What the domain adds now: its answers may stop counting (answers_data). */
    names = e->names;
    bits = e->bits;
    if (!answers_data(e)) {
        names = names > e->answers ? names - e->answers : 0;
        bits = bits > e->ans_bits ? bits - e->ans_bits : 0;
    }
    settle(e, x, false);
    give = 1;
    if (e->sp_window != x->start_ms) {
        if (names < SPREAD_MIN) {
            return CM_OK;
        }
        e->sp_window = x->start_ms;
        e->sp_names = e->sp_bits = 0;
        x->domains = inc16(x->domains);
        if (x->reported_ms == INT64_MIN && e->sp_epoch == INT64_MIN) {
            e->sp_given = 0; /* handed to a window that ended unreported: the domain's again */
        }
        give = e->pending - e->sp_given; /* joining: the domain's queries so far */
    }
    x->names = x->names - e->sp_names + names;
    x->bits = x->bits - e->sp_bits + bits;
    e->sp_names = names;
    e->sp_bits = bits;
    from = give > 1 && e->first_ms < t ? e->first_ms : t;
    if (x->pending == 0 || from < x->first_ms) {
        x->first_ms = from;
    }
    e->sp_given += give;
    e->sp_epoch = x->reported_ms;
    x->pending += give;
    x->queries += give;
    if (t > x->last_ms) {
        x->last_ms = t;
    }
    if ((x->reported_ms != INT64_MIN && t < x->reported_ms + st->t.window_ms) ||
        x->domains < st->t.spread_domains || x->names < st->t.many_names ||
        x->bits / 8 < st->t.many_bytes) {
        return CM_OK;
    }
    cm_dns_detection(&det, ev, TYPE);
    det.count = x->pending;
    det.first_ms = x->first_ms < t ? x->first_ms : t;
    det.info =
        cm_str_make(st->info, describe_spread(st, x, cm_str_make(st->key + ilen, klen - ilen)));
    x->pending = 0;
    x->reported_ms = t;
    return cm_sink_emit(sink, &det);
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
    uint32_t names, bytes, data_names, h;
    size_t klen = inst.len + 1 + dom.len;
    enum qtype qt;

    if (inst.len > INSTANCE_MAX || klen > sizeof(st->key)) {
        return CM_OK;
    }
    memcpy(st->key, inst.p, inst.len);
    st->key[inst.len] = '\0';
    memcpy(st->key + inst.len + 1, dom.p, dom.len);
    if ((e = touch(st, klen, t)) == NULL) {
        return CM_ENOMEM;
    }
    h = (uint32_t)cm_hash64(sub.p, sub.len, st->seed);
    if (shape->enc != CM_DNS_ENC_NONE) {
        if (item_add(e, h, shape)) {
            dnscat_add(e, q, sub, dom);
        }
        if (e->qn == 0 || (e->qn == 1 && h != e->qn_first)) {
            e->qn_first = e->qn == 0 ? h : e->qn_first;
            e->qn++;
        }
    }
    answers_add(st, e, q, sub, dom);
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
    e->qtype[qt] = inc16(e->qtype[qt]);
    if (t > e->last_ms) {
        e->last_ms = t;
    }
    if ((e->reported_ms == INT64_MIN || t >= e->reported_ms + st->t.window_ms) &&
        (e->names >= st->t.many_names || e->names >= st->t.long_names || e->full ||
         e->data_q >= st->t.data_names || e->dc_echo >= DNSCAT_ECHOES) &&
        crossed(st, e, &names, &bytes, &data_names)) {
        if (e->sp_given > 0) {
            settle(e, cm_state_get(st->keys, st->key, inst.len + 1), true);
        }
        cm_dns_detection(&det, ev, TYPE);
        det.count = e->pending;
        det.first_ms = e->first_ms < t ? e->first_ms : t;
        det.info = cm_str_make(st->info, describe(st, e, dom, names, bytes, data_names));
        e->pending = 0;
        e->reported_ms = t;
        return cm_sink_emit(sink, &det);
    }
    /* Reported within the window: counted for the next detection. Else maybe part of a spread. */
    if (e->reported_ms == INT64_MIN && !e->full && e->names >= SPREAD_MIN) {
        return spread(st, ev, inst.len + 1, klen, sink);
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

static int on_event(void *state, const struct cm_event *ev, struct cm_sink *sink)
{
    struct dns_tunnel *st = state;
    const struct cm_dns *q = &ev->u.dns;
    struct cm_dns_name_shape shape;
    struct cm_domain d;
    struct cm_str sub;
    const char *name = q->query_name.p;
    size_t n, cut = 0;
    int dots = 0;
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
    if (dots < 2 || n > CM_DOMAIN_MAX || (cut < st->t.min_chars && cut < DATA_MIN_CHARS)) {
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
        cm_dns_tunnel_allowed(cm_str_make(name, n), st->t.allow, st->t.nallow) ||
        !cm_dns_from_instance(ev, &d) || d.reg == 0 || d.reg >= d.len) {
        return CM_OK;
    }
    /* The sub-domain as logged (case kept) when the normalised name lines up with it. */
    sub = d.len == n && !folded ? cm_str_make(name, d.reg - 1) : cm_domain_subdomain(&d);
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

static void state_stats(const void *state, struct cm_state_stats *sum)
{
    const struct dns_tunnel *st = state;

    cm_state_stats_add(sum, st->keys);
}

/* ---- checkpoints ---- */

/*
 * Whether val, under key, is an entry the detector could have made. Two
 * kinds share the table: a domain's, keyed instance '\0' domain, and an
 * instance's spread entry, keyed instance '\0' (registered domains are
 * printable, so only the latter ends in '\0'). In a domain's entry names
 * bounds the loop over u.set and reaches SET_MAX before the set turns
 * into a HyperLogLog (full); a spread entry's names is a sum over domains
 * and bounds nothing, but it never holds names itself, so it is never full
 * and has no encoded names (qn). full is a 0/1 flag that says which member
 * of u is live; HyperLogLog registers (u.hll when full, data_hll always)
 * index cm_hll_count's table by value (cm_hll_regs_valid). qn counts up to
 * 2 (count()). The rest are times, counts and enc[]/qtype[] counters
 * (their indexes come from the query, never from the state): no check.
 */
static bool entry_check(const void *ud, const void *key, size_t klen, const void *val)
{
    const struct entry *e = val;
    const char *k = key;
    bool spread_entry;

    (void)ud;
    if (klen < 2 || klen > KEY_MAX || memchr(k, '\0', klen) == NULL) {
        return false; /* an instance id, '\0', and maybe a domain */
    }
    if (!cm_ckpt_time_set(e->start_ms) || !cm_ckpt_time_set(e->last_ms) ||
        !cm_ckpt_time_set(e->first_ms) || !cm_ckpt_time_ok(e->reported_ms) ||
        !cm_ckpt_time_ok(e->sp_window) || !cm_ckpt_time_ok(e->sp_epoch)) {
        return false; /* times: sums with a window and differences must not overflow */
    }
    spread_entry = k[klen - 1] == '\0';
    if (e->full > 1 || e->qn > 2 || e->dc_echo > e->dc_names ||
        (spread_entry ? e->full != 0 || e->qn != 0 || e->dc_names != 0
                      : e->names > SET_MAX || (e->full && e->names != SET_MAX))) {
        return false;
    }
    return (!e->full || cm_hll_regs_valid(e->u.hll, HLL_P)) &&
           cm_hll_regs_valid(e->data_hll, HLL_P);
}

static const struct cm_state_codec entry_codec = {.check = entry_check};

/* The entry table is all the detector learns: key, lower and info are scratch. */
static int save(const void *state, struct cm_ckpt_w *w)
{
    const struct dns_tunnel *st = state;

    return cm_state_save(st->keys, w, &entry_codec);
}

static int load(void *state, struct cm_ckpt_r *r)
{
    struct dns_tunnel *st = state;

    return cm_state_load(st->keys, r, &entry_codec);
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
    .save = save,
    .load = load,
};
