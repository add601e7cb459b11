/*
 * Domain names: normalising a logged query name and finding its registered
 * domain (eTLD+1) with the Public Suffix List, through libpsl's built-in
 * list (no file is read: lib/ does no I/O). Never "the last two labels":
 * bbc.co.uk, foo.s3.amazonaws.com and x.duckdns.org are registered domains.
 */
#ifndef CM_BASE_DOMAIN_H
#define CM_BASE_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/str.h"

struct cm_psl;

#define CM_DOMAIN_MAX                                                                              \
    253 /* longest name, as text without the trailing dot (the same as domainset.h) */

/* Bytes name[] has past the longest name's NUL, so hashes may read 16 bytes at any label. */
#define CM_DOMAIN_PAD 16

/* A query name, normalised. */
struct cm_domain {
    char name[CM_DOMAIN_MAX + 1 + CM_DOMAIN_PAD]; /* lowercase ASCII, no trailing dot, NUL-ended */
    size_t len;
    size_t reg;          /* offset of the registered domain in name; == len when it has none */
    size_t sfx;          /* offset of the public suffix in name; == len when it has none */
    bool private_suffix; /* the suffix is in the list's PRIVATE section (duckdns.org,
                            s3.amazonaws.com...) */
    /*
     * No rule of the list matched (x.intra, printer.mycompany): only its
     * implicit "*" rule made the last label the suffix. The list holds every
     * TLD of the root zone as of its release, so such a name resolves on no
     * public server. False when the list is not at hand (libpsl's fails).
     */
    bool unlisted_tld;
    unsigned labels; /* labels in name */
    /*
     * Every byte is a letter, a digit, '-', '_' or '.', and every label is
     * at most 63 bytes: a host name as the intel domain sets take them
     * (intel/domainset.h), so they can look it up as it is.
     */
    bool host;
};

/* What cm_domain_fold finds out about a name besides its bytes. */
struct cm_domain_shape {
    size_t len;       /* bytes, without the trailing dot */
    unsigned labels;  /* labels */
    bool host;        /* as struct cm_domain's host */
    uint64_t dots[4]; /* bit i: byte i is a dot */
};

/*
 * The normalising cm_domain_parse does, on its own: name with one trailing
 * dot dropped and ASCII lowercased into out[0..sh->len) (out holds
 * CM_DOMAIN_MAX bytes; no NUL is written), and its shape into *sh; with
 * starts != NULL (room for 127), where each of the sh->labels labels
 * begins. Returns 0, or CM_EINVAL for what cm_domain_parse refuses (starts
 * is then undefined). The intel domain sets take a name when this accepts it
 * and sh->host is true.
 */
int cm_domain_fold(struct cm_str name, char *out, struct cm_domain_shape *sh, uint8_t *starts);

/* The longest name cm_domain_fold_host takes: its dots fit a word, no label can be too long. */
#define CM_DOMAIN_HOST_SHORT 63

/*
 * cm_domain_fold for the names most queries are, as the intel domain sets
 * ask it (a name they can hold is one it accepts as a host name), 16 bytes
 * a step with the label checks on one word of dot bits: for a name of up to
 * CM_DOMAIN_HOST_SHORT bytes (one trailing dot dropped) returns 1 and sets
 * out (lowercased; room for 16 bytes past the name, which it may write),
 * starts[0 .. *nl) and *len when cm_domain_fold would accept it as a host
 * name, 0 when it would not; -1 for a longer name, or without SSE2, which
 * is the caller's to fold.
 */
int cm_domain_fold_host(struct cm_str name, char *out, uint8_t *starts, size_t *len, size_t *nl);

/*
 * Normalises name (drops one trailing dot, lowercases ASCII) into *d and
 * finds its registered domain and public suffix. Returns 0, or CM_EINVAL
 * for an empty name, a name longer than CM_DOMAIN_MAX, an empty label, or
 * bytes outside printable ASCII (IDNs are logged as punycode, xn--).
 * A name that is itself a public suffix ("com", "co.uk") has no registered domain.
 */
int cm_domain_parse(struct cm_str name, struct cm_domain *d);

/*
 * The same with the suffix set psl (base/psl.h), tens of nanoseconds a
 * name instead of libpsl's hundreds; psl NULL is cm_domain_parse.
 */
int cm_domain_parse_psl(const struct cm_psl *psl, struct cm_str name, struct cm_domain *d);

/* Whether a byte (lowercased) is a host name's: a-z, 0-9, '-', '_', '.'. */
static inline bool cm_domain_host_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

/* The registered domain of *d (eTLD+1), or an empty slice. */
static inline struct cm_str cm_domain_registered(const struct cm_domain *d)
{
    return cm_str_make(d->name + d->reg, d->len - d->reg);
}

/* The public suffix of *d, or an empty slice. */
static inline struct cm_str cm_domain_suffix(const struct cm_domain *d)
{
    return cm_str_make(d->name + d->sfx, d->len - d->sfx);
}

/* The labels left of the registered domain ("a.b" of a.b.example.com), or an empty slice. */
static inline struct cm_str cm_domain_subdomain(const struct cm_domain *d)
{
    return cm_str_make(d->name, d->reg > 0 ? d->reg - 1 : 0);
}

/*
 * The registered domain of a name given as is (for callers with no struct), or
 * CM_STR_NULL; as cm_domain_parse() finds it, but scratch's suffix is not set.
 */
struct cm_str cm_domain_registered_of(struct cm_str name, struct cm_domain *scratch);

#endif
