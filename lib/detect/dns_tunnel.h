/*
 * Trojan:EC2/DNSDataExfiltration (issue #7, docs/detectors/dns-tunnel.md):
 * an instance carries data out in the names it asks, many distinct
 * sub-domains of one registered domain that look like encoded data (hex,
 * base32/36, base64 and its url, base128 and raw-byte variants, decimal
 * counters asked for data-bearing record types), enough of them and enough
 * bytes in them within a window; or, whatever the names look like, a
 * stream of distinct names asked for record types that bring data back
 * (TXT, NULL, MX, CNAME...): a tunnel's polls and downloads. Per (instance,
 * registered domain), with the registered domain from the Public Suffix
 * List (cm_domain_parse).
 *
 * This header holds the detector's settings and the name classifier it is
 * built on (pure functions, so tests and tools can ask what a name looks
 * like). The built-in detector cm_detector_dns_tunnel is declared in dns.h.
 */
#ifndef CM_DETECT_DNS_TUNNEL_H
#define CM_DETECT_DNS_TUNNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/str.h"
#include "detect/detect.h"

/*
 * Settings of the tunnelling detector; a zero member takes its documented
 * default (the CM_DNS_TUNNEL_* values at the top of dns_tunnel.c, chosen
 * from the data). It fires for an (instance, registered domain) when,
 * within window_ms, its distinct encoded-looking sub-domains reach
 * many_names carrying many_bytes, or reach long_names carrying long_bytes,
 * or its distinct sub-domains asked for data-bearing types reach
 * data_names. Encoded answers (TXT, NULL, and CNAME or MX names under the
 * queried domain) count like encoded names: downloads carry their data
 * there. It also fires for an instance when spread_domains or more of its
 * domains, each with at least two encoded names or answers in the window,
 * together reach many_names carrying many_bytes (implants that rotate
 * their data over several domains), and for a domain when four of its
 * names are packets of one dnscat2 session, two of them answered by the
 * server's packets of that session (cm_dns_tunnel_dnscat).
 */
struct cm_dns_tunnel_tuning {
    uint32_t many_names;     /* distinct encoded sub-domains that fire ... (8) */
    uint32_t many_bytes;     /* ... when they carry at least this many bytes (200) */
    uint32_t long_names;     /* fewer but longer names: distinct ones (4) ... */
    uint32_t long_bytes;     /* ... carrying at least this many bytes (400) */
    uint32_t data_names;     /* distinct sub-domains asked for TXT, NULL, MX, CNAME... (100) */
    uint32_t min_chars;      /* sub-domains shorter than this are never judged (10) */
    uint32_t spread_domains; /* registered domains of one instance that fire together (3) */
    int64_t window_ms;       /* the window, and the least time between two detections (1 h) */
    size_t max_entries; /* memcap of the (instance, domain) table, and of the slow one (65536) */
    /*
     * A slow tunnel: within slow_window_ms (24 h) an (instance, domain) asks
     * slow_names (48) distinct encoded names carrying slow_bytes (960),
     * never enough in one window for the rules above.
     */
    uint32_t slow_names;
    uint32_t slow_bytes;
    int64_t slow_window_ms;
    /*
     * More domains whose names are never judged, besides the built-in list
     * (cm_dns_tunnel_allowlist): each matches itself and every name under it
     * ("example.com" covers "x.example.com"), case-insensitively, with or
     * without a trailing dot. Borrowed: it must outlive the detector.
     */
    const struct cm_str *allow;
    size_t nallow;
};

/* What an encoded-looking sub-domain looks like (struct cm_dns_name_shape.enc). */
enum cm_dns_encoding {
    CM_DNS_ENC_NONE = 0, /* a host name, not data */
    CM_DNS_ENC_BASE64,   /* mixed case or symbols: base64, base64url, base128, escaped bytes */
    CM_DNS_ENC_HEX,      /* long hexadecimal runs with digits and letters */
    CM_DNS_ENC_BASE32,   /* long random-looking alphanumeric runs: base32, base36 */
    CM_DNS_ENC_DIGITS,   /* mostly digits and not an address: counters, decimal data */
};

/* What cm_dns_tunnel_shape measured. */
struct cm_dns_name_shape {
    enum cm_dns_encoding enc;
    uint32_t chars;   /* characters judged: labels right of any '_' label, dots excluded */
    uint32_t longest; /* longest label judged */
    uint32_t bits;    /* data the name carries at its encoding's density (0 for NONE) */
    double entropy;   /* Shannon entropy of the judged characters, bits per character
                         (computed only when enc is not NONE, else 0) */
};

/*
 * Judges sub-domain text sub (the labels left of the registered domain, in
 * the case the log gives them) and fills *s. Labels starting with '_' and
 * everything left of them are attribute names (RFC 8552: _dmarc, DKIM
 * selectors, ACM and ACME validation records, Active Directory _msdcs
 * GUIDs) and are not judged. A sub-domain of fewer than min_chars judged
 * characters is NONE. Returns s->enc. Pure, no allocation; any bytes are
 * accepted (bytes outside [A-Za-z0-9_-] count as symbols).
 */
enum cm_dns_encoding cm_dns_tunnel_shape(struct cm_str sub, uint32_t min_chars,
                                         struct cm_dns_name_shape *s);

/*
 * The same, for a query of a data-bearing type (data: mostly-digit names
 * count) or not; a cheap first pass decides whether the full measure is
 * needed, so a host name costs one table-driven pass.
 */
enum cm_dns_encoding cm_dns_tunnel_classify(struct cm_str sub, uint32_t min_chars, bool data,
                                            struct cm_dns_name_shape *s);

/*
 * The same for data an answer carries (a TXT or NULL text, the labels of a
 * CNAME or MX name under the queried domain): besides what
 * cm_dns_tunnel_classify finds, a run of 32 or more letters is BASE32-like
 * data (counted at 4 bits a letter), vowels or not.
 */
enum cm_dns_encoding cm_dns_tunnel_classify_answer(struct cm_str data, uint32_t min_chars,
                                                   struct cm_dns_name_shape *s);

/*
 * The data answer a carries back from registered domain dom (lowercase)
 * into *out: the text of a TXT or NULL answer that is one token (no
 * spaces, ';', ':' or ',', no '=' but base64's trailing padding; quotes and
 * a trailing ".dom" dropped), or the labels of a CNAME or MX name under
 * dom itself (an MX's preference skipped). An answer naming another
 * domain (a CDN, a mail provider), an address, or a record like SPF,
 * DMARC, DKIM or "name=token" carries none: false.
 */
bool cm_dns_tunnel_answer_data(const struct cm_dns_answer *a, struct cm_str dom,
                               struct cm_str *out);

/*
 * Whether an answer of q is a CNAME whose target is no host name: bytes
 * other than letters, digits, '-', '_' and '.' (raw bytes, '+', '=', a JSON
 * escape). iodine answers A queries so, with its data; no zone does.
 */
bool cm_dns_tunnel_raw_answer(const struct cm_dns *q);

/*
 * Whether q was answered as a DNS list answers a look-up (RFC 5782): NOERROR, and every
 * answer an A record in 127.0.0.0/16 (127.0.0.2 "listed", 127.0.1.x Spamhaus' DBL
 * codes). Hash and reputation services answer so; a tunnel's A answers carry data.
 */
bool cm_dns_tunnel_listing_answer(const struct cm_dns *q);

/* The head of a dnscat2 packet (cm_dns_tunnel_dnscat). */
struct cm_dnscat_packet {
    uint16_t id;      /* the packet id: new for every packet */
    uint8_t type;     /* 0 SYN, 1 MSG, 2 FIN, 3 ENC */
    uint16_t session; /* the session id: the same in every packet of a session, both ways */
    uint32_t bytes;   /* the packet's length */
};

/*
 * Reads data (a sub-domain, or the data of an answer from
 * cm_dns_tunnel_answer_data) as a dnscat2 packet: its leading labels that
 * are all hex digits (after an optional "dnscat" label; labels after them
 * are ignored), an even number of digits making 9 to 127 bytes, whose
 * third byte is a session packet's type (0-3). Fills *out and returns
 * true when it may be one. Any random hex of that length passes one time
 * in 128; what tells a session is the session id repeated (dns_tunnel.c).
 * Pure, no allocation; any bytes are accepted.
 */
bool cm_dns_tunnel_dnscat(struct cm_str data, struct cm_dnscat_packet *out);

/* The name of an encoding as additionalInfo gives it ("hex", "base32"...; "none"). */
const char *cm_dns_encoding_name(enum cm_dns_encoding e);

/*
 * The built-in allow list (its reasons are in dns_tunnel_shape.c and the docs):
 * domains whose names legitimately encode data or can never reach a
 * server an attacker runs. *n gets its length.
 */
const char *const *cm_dns_tunnel_allowlist(size_t *n);

/*
 * True when name (as logged: any case, an optional trailing dot) is an
 * allow-listed domain or under one, from the built-in list or the extra
 * list (extra may be NULL when nextra is 0).
 */
bool cm_dns_tunnel_allowed(struct cm_str name, const struct cm_str *extra, size_t nextra);

/*
 * True when name (as logged) is a search-list expansion of an allow-listed
 * name: a proper prefix of it, cut at a dot, is under an allow-listed domain
 * of two labels or more (found.io, amazonaws.com; an extra entry too), or of
 * three labels or more under the TLDs aws and arpa
 * ("<id>.us-east-1.aws.found.io.corp.example.com"). The private-use names of
 * the list (local, corp, home...) never count here: any label may be one.
 * The caller asks it only of names answered NXDOMAIN.
 */
bool cm_dns_tunnel_expansion(struct cm_str name, const struct cm_str *extra, size_t nextra);
/*
 * The same, telling where: the length of the longest such prefix (the
 * suffix follows it after a dot), 0 when name is no expansion; *zone is
 * then the allow-list entry the prefix lies under (borrowed). The detector
 * then judges the name unless the suffix is a learned search domain of the
 * instance (dns_tunnel_search.c).
 */
size_t cm_dns_tunnel_expansion_prefix(struct cm_str name, const struct cm_str *extra, size_t nextra,
                                      struct cm_str *zone);

/*
 * Makes the detector's state with tuning t (copied; the allow list stays
 * borrowed; NULL: every default). The built-in detector's init() calls
 * this. Returns 0, CM_EINVAL (a window over 7 days, a names threshold
 * above 65535, nallow without allow, an empty allow-list entry) or
 * CM_ENOMEM.
 */
int cm_dns_tunnel_init(void **state, const struct cm_detect_opts *opts,
                       const struct cm_dns_tunnel_tuning *t);

#endif
