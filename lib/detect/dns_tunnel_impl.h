/*
 * What dns_tunnel.c (the detector: judging a query, the thresholds,
 * emission, checkpoints), dns_tunnel_window.c (one window's counters:
 * distinct names, bytes, answers, a dnscat2 session), dns_tunnel_spread.c
 * (the spread over domains) and dns_tunnel_slow.c (the 24-hour rule) share.
 * Private to them.
 */
#ifndef CM_DETECT_DNS_TUNNEL_IMPL_H
#define CM_DETECT_DNS_TUNNEL_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/domain.h"
#include "base/str.h"
#include "detect/detect.h"
#include "detect/dns_kept.h"
#include "detect/dns_tunnel.h"
#include "detect/state.h"
#include "event/event.h"

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

#define SET_MAX     32                    /* exact distinct-name hashes before the HyperLogLog */
#define HLL_P       7                     /* 128 registers: about 9% error, past 32 names only */
#define KEY_MAX     512                   /* instance id, '\0', registered domain */
#define INFO_MAX    768                   /* additionalInfo: a 253-byte domain and every measure */
#define ANSWER_SALT 0x9e3779b97f4a7c15ULL /* answers hash apart from names */

/*
 * The longest query name as a resolver logs it: 253 bytes, each a "\DDD"
 * escape at worst (raw bytes of iodine's base128).
 */
#define TEXT_MAX (4 * CM_DOMAIN_MAX)

/* Query types counted for additionalInfo, in this order ("other" last). */
enum qtype { QT_A = 0, QT_AAAA, QT_TXT, QT_NULL, QT_CNAME, QT_MX, QT_OTHER, QT_COUNT };

#define INSTANCE_MAX 128 /* longer instance ids are not EC2's: skipped */

/*
 * A suffix's search-domain learning (dns_tunnel_search.c): it is one once it
 * followed names of SEARCH_DOMAINS distinct allow-listed zones; until then its first
 * SEARCH_HOLD distinct expansion names are held (not judged).
 */
#define SEARCH_DOMAINS 3
#define SEARCH_HOLD    16
struct search {
    uint32_t dom[SEARCH_DOMAINS]; /* hashes of the allow-listed zones it followed */
    uint32_t held[SEARCH_HOLD];   /* hashes of the expansion names held */
    uint8_t doms;                 /* up to SEARCH_DOMAINS */
    uint8_t nheld;                /* up to SEARCH_HOLD */
    uint8_t pad[2];
};

/*
 * The distinct names of a window: exact hashes, then a HyperLogLog; a
 * suffix's entry (key instance '\0' '\0' suffix) holds its search instead.
 */
union names {
    uint32_t set[SET_MAX];
    uint8_t hll[1u << HLL_P];
    struct search search;
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
    uint32_t qnames;   /* distinct encoded query names (every encoded query past the set) */
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
    struct cm_dns_kept last;       /* the last counted query once the entry has fired */
};

/*
 * One (instance, registered domain) over slow_window_ms (dns_tunnel_slow.c):
 * the encoded names of a tunnel too slow for one window to hold enough.
 */
#define SLOW_SET_MAX 64 /* exact distinct-name hashes before the HyperLogLog */
#define SLOW_HLL_P   7  /* 128 registers: about 9 % error, past 64 names only */
#define SLOW_TIERS   6  /* 1, 2-3, 4-7, 8-15, 16-31, 32 or more names */

struct slow {
    int64_t start_ms;    /* the period's first encoded query */
    int64_t last_ms;     /* the newest */
    int64_t first_ms;    /* the earliest not yet reported */
    int64_t reported_ms; /* the latest slow detection; INT64_MIN: none */
    int64_t fired_ms;    /* the latest detection of the pair's windows; INT64_MIN: none */
    uint32_t queries;    /* encoded queries of the period */
    uint32_t pending;    /* ... not yet reported */
    uint64_t sum_bits;   /* data bits of every encoded query of the period */
    uint32_t names;      /* distinct encoded names in the set (SLOW_SET_MAX once full) */
    uint8_t full;        /* u.hll is in use */
    uint8_t pad[3];
    union {
        uint32_t set[SLOW_SET_MAX];
        uint8_t hll[1u << SLOW_HLL_P];
    } u; /* the period's distinct encoded names: exact hashes, then a HyperLogLog */
};

struct dns_tunnel {
    struct cm_dns_tunnel_tuning t;
    struct cm_state *keys;
    /*
     * instance '\0' domain -> struct slow, by tier: tier i holds the entries
     * whose period has [2^i, 2^(i+1)) distinct encoded names (the last one:
     * more). The tiers share the memcap max_entries, and a new entry evicts
     * the least recently seen of the lowest tier that has one: a flood of
     * one-off names evicts its own entries, never a tunnel's.
     */
    struct cm_state *slow[SLOW_TIERS];
    uint64_t slow_moves; /* entries moved between tiers: not inserts (state_stats) */
    uint64_t seed;
    char key[KEY_MAX];
    const struct cm_psl *psl; /* splits names the parser could not (NULL: libpsl's) */
    char lower[TEXT_MAX + 1]; /* a case-randomised name, lowercased */
    char info[INFO_MAX];      /* additionalInfo of the detection being emitted */
    struct cm_event ev;       /* an expiring entry's last query, rebuilt (on_tick) */
};

static inline uint16_t cm_dns_tunnel_inc16(uint16_t v)
{
    return v < UINT16_MAX ? (uint16_t)(v + 1) : v;
}

/*
 * The entry of key st->key[0..klen) at time t, in a window that holds t
 * (a new one when t is past the entry's); NULL: CM_ENOMEM.
 */
struct entry *cm_dns_tunnel_touch(struct dns_tunnel *st, size_t klen, int64_t t);
/* Distinct encoded names (and answers) of e's window. */
uint32_t cm_dns_tunnel_distinct(const struct entry *e);
/* Bytes of data the distinct names carry: exact in set mode, extrapolated past it. */
uint32_t cm_dns_tunnel_carried(const struct entry *e, uint32_t names);
/* Distinct names of e's window asked for data-bearing types. */
uint32_t cm_dns_tunnel_data_distinct(const struct entry *e);
/* Whether e's encoded answers count: at least 3 answered queries in 4 got one. */
bool cm_dns_tunnel_answers_data(const struct entry *e);
/* Whether e holds a dnscat2 session: DNSCAT_PACKETS names, DNSCAT_ECHOES answered in kind. */
bool cm_dns_tunnel_dnscat_session(const struct entry *e);
/* Counts an encoded name or answer (hash h, shape s) into e; true when new to the set. */
bool cm_dns_tunnel_item_add(struct entry *e, uint32_t h, const struct cm_dns_name_shape *s);
/* Counts sub, a name of q new to e's window, toward e's dnscat2 session when it is a packet. */
void cm_dns_tunnel_dnscat_add(struct entry *e, const struct cm_dns *q, struct cm_str sub,
                              struct cm_str dom);
/*
 * Counts name hash h into a set of distinct names: up to max exact hashes in
 * set (*names of them), then, once *full, a HyperLogLog of 2^p registers in
 * hll, which shares set's memory. Returns true when h is new to the exact
 * set. The window's names and the slow entry's use it.
 */
bool cm_dns_tunnel_names_add(uint32_t *set, uint8_t *hll, unsigned p, uint32_t max, uint32_t *names,
                             uint8_t *full, uint32_t h);
/* Appends s to out[*n] JSON-escaped (printable ASCII: only '"' and '\\' need it). */
void cm_dns_tunnel_put_escaped(char *out, size_t cap, size_t *n, struct cm_str s);

/*
 * The slow rule (dns_tunnel_slow.c). cm_dns_tunnel_slow_add counts an
 * encoded query name (hash h, shape s) at time t into the slow entry of
 * st->key[0..klen) and returns it (NULL: CM_ENOMEM). cm_dns_tunnel_slow_fired
 * tells it the pair's window fired at t (that detection reports its
 * queries). cm_dns_tunnel_slow_due says whether the entry has crossed and
 * may report at t; cm_dns_tunnel_slow_emit then emits its detection for ev
 * and takes the window entry's pending queries with it (e->pending = 0:
 * settle e's spread first).
 */
struct slow *cm_dns_tunnel_slow_add(struct dns_tunnel *st, size_t klen, int64_t t, uint32_t h,
                                    const struct cm_dns_name_shape *s);
void cm_dns_tunnel_slow_fired(struct slow *s, int64_t t);
/* The slow rule's additionalInfo for s under dom, into st->info; its length. */
size_t cm_dns_tunnel_slow_describe(struct dns_tunnel *st, const struct slow *s, struct cm_str dom);
bool cm_dns_tunnel_slow_due(const struct dns_tunnel *st, const struct slow *s, int64_t t);
int cm_dns_tunnel_slow_emit(struct dns_tunnel *st, struct slow *s, struct entry *e,
                            const struct cm_event *ev, struct cm_str dom, struct cm_sink *sink);
/* Whether val is a struct slow the detector could have made (checkpoints). */
bool cm_dns_tunnel_slow_valid(const void *key, size_t klen, const void *val);
/* The slow entry of st->key[0..klen) in whichever tier holds it, or NULL; not a touch. */
struct slow *cm_dns_tunnel_slow_get(const struct dns_tunnel *st, size_t klen);
/* Entries in all the slow tiers. */
size_t cm_dns_tunnel_slow_entries(const struct dns_tunnel *st);
/* Evicts from the lowest tiers up until room more entries fit under max_entries. */
void cm_dns_tunnel_slow_trim(struct dns_tunnel *st, size_t room);

/*
 * The spread rule (dns_tunnel_spread.c). cm_dns_tunnel_spread adds the
 * query of ev, counted under the domain entry at st->key[0..klen) (its
 * first ilen bytes the instance's key), to the instance's spread entry and
 * may emit; sl is the pair's slow entry when the query was encoded, else
 * NULL. After its detection the spread entry keeps its last query (last;
 * longest: the length of its registered domain, which ends the name), and
 * reports the queries it counted since as it expires (dns_tunnel_rec.c).
 * cm_dns_tunnel_settle moves the queries domain entry e handed to its
 * instance's spread entry x (NULL: gone) out of e's and the slow entry's
 * pending counts once x has reported them or will (how), else, with
 * SETTLE_TAKE_BACK or SETTLE_WINDOW_END, out of x's.
 */
#define SPREAD_MIN 2 /* encoded items of a domain before it counts toward its instance */
enum cm_dns_tunnel_settle {
    SETTLE_JOIN,       /* e hands x more: settle only what x has reported */
    SETTLE_TAKE_BACK,  /* e is about to report its pending queries */
    SETTLE_WINDOW_END, /* e's window ends (or e expires): its pending count drops */
};
int cm_dns_tunnel_spread(struct dns_tunnel *st, const struct cm_event *ev, size_t ilen, size_t klen,
                         struct slow *sl, struct cm_sink *sink);
void cm_dns_tunnel_settle(struct dns_tunnel *st, size_t klen, int64_t t, struct entry *e,
                          struct entry *x, struct slow *sl, enum cm_dns_tunnel_settle how);
/* additionalInfo of the spread entry x of an instance under dom, into st->info; its length. */
size_t cm_dns_tunnel_spread_describe(struct dns_tunnel *st, const struct entry *x,
                                     struct cm_str dom);

/* Whether e, after its latest query, has crossed a threshold; fills the measures. */
bool cm_dns_tunnel_crossed(const struct dns_tunnel *st, const struct entry *e, uint32_t *names,
                           uint32_t *bytes, uint32_t *data_names);
/* additionalInfo of entry e for registered domain dom, into st->info; returns its length. */
size_t cm_dns_tunnel_describe(struct dns_tunnel *st, const struct entry *e, struct cm_str dom,
                              uint32_t names, uint32_t bytes, uint32_t data_names);
/*
 * An expiring entry's report (dns_tunnel_rec.c): cm_dns_tunnel_expire_cb is
 * the cm_state_cb of the window table's expiry, ud a struct
 * cm_dns_tunnel_expiry; the first error of the sink stays in rc.
 */
struct cm_dns_tunnel_expiry {
    struct dns_tunnel *st;
    struct cm_sink *sink;
    int rc;
};
void cm_dns_tunnel_expire_cb(void *ud, const void *key, size_t klen, void *val);

/* Makes e a new entry at t: one window from t, nothing counted, pending or reported. */
void cm_dns_tunnel_entry_fresh(struct entry *e, int64_t t);

/*
 * Search-list expansions (dns_tunnel_search.c). cm_dns_tunnel_search learns
 * from name (an NXDOMAIN expansion of ev whose prefix name[0..plen) lies
 * under the allow-listed zone) and returns 1 when it is not judged (its suffix is a
 * search domain of the instance, or it is held while the suffix is
 * learned), 0 when it is judged as any other name, or CM_ENOMEM. Uses
 * st->key. cm_dns_tunnel_search_key says whether a key of the window table
 * is a suffix's; cm_dns_tunnel_search_valid whether its entry could have
 * been made (checkpoints).
 */
int cm_dns_tunnel_search(struct dns_tunnel *st, const struct cm_event *ev, struct cm_str name,
                         size_t plen, struct cm_str zone);
bool cm_dns_tunnel_search_key(const char *k, size_t klen);
bool cm_dns_tunnel_search_valid(const struct entry *e);

/*
 * Checkpoints (dns_tunnel_ckpt.c): the detector's save and load; load_old
 * reads version 5, the same layout without suffix entries.
 */
int cm_dns_tunnel_save(const void *state, struct cm_ckpt_w *w);
int cm_dns_tunnel_load(void *state, struct cm_ckpt_r *r);
int cm_dns_tunnel_load_old(void *state, struct cm_ckpt_r *r, uint32_t version);

/* Counts the encoded data in the answers of q (sub under dom) into e. */
void cm_dns_tunnel_answers_add(const struct dns_tunnel *st, struct entry *e, const struct cm_dns *q,
                               struct cm_str sub, struct cm_str dom);

#endif
