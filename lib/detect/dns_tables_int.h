/*
 * What the reputation tables (dns_providers.c) and the score
 * (dns_rep_score.c) share: the crypto word table's entries, and the
 * look-ups through the hashed index (t NULL: the binary searches). Private
 * to lib/detect.
 */
#ifndef CM_DETECT_DNS_TABLES_INT_H
#define CM_DETECT_DNS_TABLES_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/str.h"
#include "detect/dns_reputation.h"

#define W_BRAND   1u  /* a mining pool, a web miner, or xmrig (the miner malware drops) */
#define W_COIN    2u  /* a coin or mining-algorithm word: with a mining word, a pool */
#define W_STRONG  4u  /* ... distinctive enough to count alone, weakly */
#define W_MINING  8u  /* a mining word: nothing alone (pool.ntp.org), a pool with a coin word */
#define W_STRATUM 16u /* the mining protocol's usual host name */

struct cm_dns_word {
    const char *w;
    size_t len;
    unsigned kind; /* W_* */
};

/* The provider entry for suffix exactly, or NULL. */
const struct cm_dns_provider *cm_dns_provider_in(const struct cm_dns_tables *t,
                                                 struct cm_str suffix);

/* The abuse weight of tld, 0 when not listed. */
double cm_dns_tld_weight_in(const struct cm_dns_tables *t, struct cm_str tld);

/* The crypto word equal to s, or NULL. */
const struct cm_dns_word *cm_dns_word_in(const struct cm_dns_tables *t, struct cm_str s);

/* Whether the score's quick tests (private TLDs, mining words' last letters) cover their tables. */
bool cm_dns_rep_prefilters_ok(void);

#endif
