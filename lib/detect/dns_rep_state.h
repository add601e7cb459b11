/*
 * The DNS reputation detector's state (dns_reputation.c): its tables'
 * entries and the detector itself, shared with its checkpoints
 * (dns_rep_ckpt.c). No I/O.
 */
#ifndef CM_DETECT_DNS_REP_STATE_H
#define CM_DETECT_DNS_REP_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/domain.h"
#include "detect/ckpt.h"
#include "detect/detect.h"
#include "detect/dns.h"
#include "detect/dns_kept.h"
#include "detect/dns_rep_impl.h"
#include "detect/dns_tunings.h"
#include "detect/intel.h"
#include "detect/state.h"

#define INST_SLOTS            4 /* instances remembered per site (for "rare") */
#define INST_MAX              64 /* bytes of an instance id kept in a hit (longer: no report at expiry) */
#define DNS_REP_STATE_VERSION 3u /* bump when the layout save writes changes */
/* Version 2 (before 2026-12-05): hits of 16 bytes, the report window only (load_old). */
#define DNS_REP_STATE_VERSION_OLD 2u

/* In rising order: a type that rises is reported at once. */
enum rep_type { RT_NONE = 0, RT_SUSPICIOUS, RT_ABUSED, RT_BITCOIN, RT_MALICIOUS };

enum name_state { N_WATCH = 0, N_KNOWN, N_IGNORED };

/* A query name (hashed with its account): whether its site is known. */
struct name {
    uint64_t dkey;      /* its site's key in domains */
    uint32_t checked_s; /* when the site was last touched through it */
    uint8_t state;      /* enum name_state */
};

enum { DS_NEW = 0, DS_KNOWN = 1 };

/* A site of an account. */
struct domain {
    uint32_t first_s;          /* first sighting (Unix seconds) */
    uint32_t inst[INST_SLOTS]; /* 32-bit hashes of the first instances that asked */
    uint8_t ninst;             /* distinct instances that asked (saturates) */
    uint8_t state;             /* DS_* */
};

struct account {
    int64_t first_ms; /* its first query: learning started */
};

/*
 * A hit's flags: the reasons its kept query was reported with (HF_NEW,
 * HF_RARE), whether a query of the pair failed (HF_NX), and whether the
 * pair began with a look-up of the site's records (HF_CHECKED: a mail
 * server's check of a sender, whose address look-ups that follow are the
 * check's too; such a hit reports nothing).
 */
enum { HF_NEW = 1, HF_RARE = 2, HF_NX = 4, HF_CHECKED = 8 };

/*
 * An (instance, new site) that classified: its report window; what its
 * queries' answers showed so far (closeness to listed infrastructure, a
 * failure), which every later query of the pair is judged and described
 * with; and the last query since the last report with the askers, for a
 * report at expiry (the key holds hashes only, so the instance is kept
 * too).
 */
struct hit {
    uint32_t first_s;    /* first query not yet reported */
    uint32_t reported_s; /* latest detection */
    uint32_t pending;    /* queries not yet reported */
    uint8_t type;        /* enum rep_type reported so far */
    uint8_t flags;       /* HF_NEW, HF_RARE of the kept query; HF_NX */
    uint8_t ninst;       /* instances that had asked for the site at the kept query */
    uint8_t inst_len;
    struct cm_dns_kept last;          /* time_ms INT64_MIN: none kept */
    struct cm_dns_rep_closeness near; /* the pair's answers so far */
    char inst[INST_MAX];
};

struct dns_rep {
    const struct cm_detect_config *cfg;
    struct cm_intel_memo *memo; /* the engine's: the query name's intel verdict */
    struct cm_state *names;
    struct cm_state *domains; /* known sites (DS_KNOWN) */
    struct cm_state *fresh;   /* new sites (DS_NEW): they evict only each other */
    struct cm_state *accounts;
    struct cm_state *hits;
    struct cm_dns_tables *tables; /* the stateless score's index */
    struct cm_dns_rep_tuning t;   /* with the defaults filled in */
    uint32_t learn_s, new_s, report_s;
    uint64_t seed;
    struct cm_event ev;  /* a kept query, rebuilt for a report at expiry */
    struct cm_domain dn; /* ... and its name, parsed again */
    /*
     * additionalInfo of the detection being emitted: two names and a listed
     * answer of up to 253 bytes each, every byte possibly escaped as \u00XX,
     * and the reasons; never cut (a cut would not be JSON, and the finding
     * would lose the whole of it).
     */
    char info[3 * 6 * 256 + 512];
};

/* The detector's checkpoints (dns_rep_ckpt.c): its cm_detector save, load and load_old. */
int cm_dns_rep_save(const void *state, struct cm_ckpt_w *w);
int cm_dns_rep_load(void *state, struct cm_ckpt_r *rd);
int cm_dns_rep_load_old(void *state, struct cm_ckpt_r *rd, uint32_t version);

#endif
