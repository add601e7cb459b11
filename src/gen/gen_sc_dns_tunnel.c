/*
 * The plans of gen_sc_dns_tunnel.h, in groups of queries: n of them from
 * `at` seconds after the run's start, one every `step` seconds. What the
 * finding counts follows the detector's rules (dns_tunnel.c): the first
 * detection when an (instance, domain) crosses a threshold, counting the
 * window's encoded queries so far; then at most one an hour, counting
 * everything since; what came after the last is reported when the entry
 * expires (the end of input).
 *
 * dns-exfil-tester (two hours; the tunnel on an app-tier instance):
 *   - 930 tester names from 600 s, one a second: six names of 90 base64-like
 *     characters carry 405 bytes, so the sixth fires (count 6); the other
 *     924 wait for the next report;
 *   - 20 more at 4260 s, one every 2 s (TXT): a new window; the sixth is
 *     past the hour's rate limit and fires with 924 + 6; the last 14 follow
 *     it and are reported when the entry expires. The finding counts 950.
 *   Near misses, from a web-tier instance unless said:
 *   - seven distinct 34-hex names under one domain (119 bytes): one short;
 *   - one 40-character base64-like name asked 50 times: one name;
 *   - twelve base36 names, one every ten minutes: never 8 in an hour;
 *   - 100 numbered hosts (u<8 digits>.ct...) asked for A: hosts, not data;
 *   - a DNS inventory: 150 word sub-domains of one domain asked for CNAME;
 *   - 100 malware-hash look-ups at Team Cymru (allow-listed);
 *   - 30 ACM validation records (_<32 hex>.<host>): attribute names;
 *   - an office client (no instance) sending 200 tester names.
 *
 * dns-tunnel-hex (one hour; the tunnel on a worker instance): 40 names of
 * two 30-hex labels from 900 s, one every 2 s, over TXT, CNAME and MX in
 * turn: the eighth carries 240 bytes and fires (count 8); the other 32 are
 * reported when the entry expires (count 40). Near misses from the same instance under
 * other domains: ACM validation records, Team Cymru hash look-ups, one hex
 * name repeated, seven hex names.
 *
 * dns-tunnel-download (one hour; a database instance): 40 counter names
 * (c<7 base36>, too short to judge) under one domain from 600 s, one every
 * 3 s, over TXT, each answered with a distinct 48-character base32 token:
 * the eighth answer carries the 240th byte and fires (count 8); the other
 * 32 are reported when the entry expires (count 40). Near misses
 * from the same instance: 60 word sub-domains of a zone asked TXT and
 * answered with SPF and site-verification records, 40 asked A and answered
 * with a CloudFront CNAME (another domain's name), 30 counters answered with
 * one token, 45 words asked CNAME with an id under the zone in one answer of
 * three and CDN names in the others (answers count only when most are data).
 *
 * dns-tunnel-spread (one hour; a cache instance): 16 names of 30 base36
 * characters (18 bytes each) from 900 s, one every 20 s, rotating over four
 * domains: no domain gets near 8 names, but from the second name of each
 * the domains add up, and the 11th query brings 11 names, 206 bytes over
 * four domains (count 11); the five after it are reported as the
 * instance's spread entry expires (count 16; the finding's additionalInfo
 * that report's: 16 names, 300 bytes). Near misses from a bastion instance: 12
 * domains with one such name each, 12 names under an allow-listed zone,
 * four domains with two 16-character names each (80 bytes), and in the
 * second hour two domains with 5 names each. Two hours.
 *
 * dns-tunnel-dnscat (five hours; a web instance, from 3 h so no other
 * plan's names share its windows): a dnscat2 handshake, a SYN and four
 * empty MSG polls one a second, each answered with the server's packet of
 * the session (TXT): the fourth fires (count 4; 9-22 bytes a packet, far
 * under the volume rules); the fifth is reported when the entry expires
 * (count 5). Near misses from a bastion instance, two
 * domains an hour: a session of six packets never answered, three packets
 * answered in kind, six answered with a CNAME to the query's own packet
 * (the same id), six answered with packets of another session.
 *
 * dns-tunnel-slow (eleven hours; the second app-tier instance, from 2 h):
 * 54 names of 40 hex characters (20 bytes) under one domain, one every ten
 * minutes: 6 names and 120 bytes an hour, under every window's thresholds,
 * until the 48th brings the day to 48 names and 960 bytes (the slow rule;
 * count 48); the six after it are reported as the pair's window entry
 * expires (count 54; before 2026-12-05 they were not counted). Near misses from a worker
 * instance, from 2 h too: 40 such names (eight short of the day's 48), 60
 * names of 24 hex characters (720 bytes), one name asked every ten minutes,
 * 60 malware-hash look-ups at Team Cymru (allow-listed), one every ten.
 */
#include "gen/gen_sc_dns_tunnel.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "gen/gen_dns.h"
#include "gen/gen_sc_intel.h"
#include "gen/rng.h"

#define ONPREM_CLIENT CM_GEN_SC_IP4(192, 168, 10, 27) /* an office workstation */
#define ANSWER        CM_GEN_SC_IP4(203, 0, 113, 0)   /* answers to A queries (+ k) */
#define TYPE          "Trojan:EC2/DNSDataExfiltration"

static const char b64ish[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
static const char b36[] = "abcdefghijklmnopqrstuvwxyz0123456789";
static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";

enum who { TUNNEL = 0, NEAR, ONPREM };

enum what {
    W_TESTER = 0, /* <60 base64ish>.<30 base64ish>.guarddutyc2activityb.com */
    W_HEX,        /* <30 hex>.<30 hex>.guarddutytunnelactivity.com */
    W_SEVEN,      /* <34 hex>.tunnel-seven.net */
    W_REPEAT,     /* <40 base64ish>.tunnel-repeat.net */
    W_TRICKLE,    /* <29 base36>.tunnel-trickle.net */
    W_NUMBERED,   /* u<8 digits>.ct.numbered-hosts.net */
    W_INVENTORY,  /* <word>.inventory-target.net */
    W_CYMRU,      /* <32 hex>.malware.hash.cymru.com */
    W_ACM,        /* _<32 hex>.<word>.acm-validated.net */
    W_COUNTER,    /* c<7 base36>.sync-updates.net (answered with tokens) */
    W_SPF,        /* <word>.zone-verify.net (answered with SPF and verification records) */
    W_CDN,        /* <word>.static-assets.net (answered with a CloudFront CNAME) */
    W_SPREAD,     /* <30 base36>.onedrive-sync-<k % 4>.net */
    W_SINGLE,     /* <30 base36>.single-<k>.net */
    W_PAIR,       /* <30 base36>.pair-<k % 2>.net */
    W_ONE_TOKEN,  /* c<7 base36>.token-repeat.net (answered with one token) */
    W_IDS,        /* <word>.id-zone.net (an id under the zone in one answer of three) */
    W_AWS,        /* <30 base36>.s3.us-east-1.amazonaws.com (allow-listed) */
    W_SHORT4,     /* <16 base36>.short-<k % 4>.net */
    W_DNSCAT,     /* <dnscat2 packet k in hex>.git.pkg-mirror-sync.net */
    W_DC_SILENT,  /* <packet>.silent-relay.net */
    W_DC_THREE,   /* <packet>.three-relay.net */
    W_DC_ALIAS,   /* <packet>.alias-relay.net */
    W_DC_OTHER,   /* <packet>.other-relay.net */
    W_SLOW,       /* <40 hex>.telemetry-drip.net */
    W_SLOW_SHORT, /* <40 hex>.drip-short.net */
    W_SLOW_SMALL, /* <24 hex>.drip-small.net */
    W_CONTENT,    /* a content id's host: IPFS (cf-ipfs.com), Arweave, Dropbox (allow-listed) */
};

/* What a group's queries are answered with (besides an address for A queries). */
enum answer {
    ANS_DEFAULT = 0,
    ANS_TOKEN,
    ANS_SPF,
    ANS_CDN,
    ANS_ONE_TOKEN,
    ANS_IDS,
    ANS_DNSCAT, /* the server's packet: the query's session and type, an id of its own */
    ANS_ALIAS,  /* a CNAME to the query's own packet under the zone (the same id) */
    ANS_OTHER,  /* a packet of the query's type, of another session */
};

struct group {
    uint32_t at;
    uint16_t step, n;
    uint8_t who;       /* enum who */
    uint8_t what;      /* enum what */
    uint16_t k0;       /* the first name's number */
    bool same;         /* every query asks name k0 */
    const char *qtype; /* NULL: TXT, CNAME and MX in turn */
    uint16_t hits;     /* the first hits queries are counted by the finding */
    const char *near;  /* the near miss it shows, or NULL for the tunnel's own queries */
    uint8_t ans;       /* enum answer */
};

struct plan {
    const struct group *groups;
    size_t n;
    uint8_t tier;     /* enum cm_gen_tier of the tunnel's instance */
    uint8_t near;     /* ... of the near misses' instance (the tunnel's own when equal) */
    unsigned hours;   /* hours the plan needs */
    const char *info; /* additionalInfo checks */
    bool second;      /* the tunnel is its tier's second instance, when the world has one */
};

static const char *const words[] = {
    "admin",  "api",   "app",     "auth",    "beta",    "billing", "blog",     "cdn",     "chat",
    "crm",    "dash",  "data",    "demo",    "dev",     "docs",    "download", "edge",    "files",
    "forum",  "git",   "grafana", "help",    "hr",      "images",  "jira",     "kibana",  "legacy",
    "login",  "mail",  "media",   "mobile",  "monitor", "news",    "old",      "partner", "portal",
    "prod",   "qa",    "remote",  "sandbox", "search",  "shop",    "sso",      "staging", "static",
    "status", "store", "support", "test",    "vpn",
};

#define NWORDS (sizeof(words) / sizeof(words[0]))

/*
 * The hex of packet k of the dnscat2 session of kind what (its id, type
 * and session; a SYN first, then empty MSG polls, as a handshake has them)
 * into out (n bytes); server: the server's packet answering it, of
 * session + other.
 */
static void dnscat_packet(const struct cm_gen_world *w, enum what what, unsigned k, bool server,
                          unsigned other, char *out, size_t n)
{
    struct cm_gen_rng r;
    unsigned session, id;

    cm_gen_rng_derive(&r, w->seed, 0x646e6373ULL /* "dncs" */, what, 0xffff);
    session = cm_gen_rng_below(&r, 0x10000);
    cm_gen_rng_derive(&r, w->seed, 0x646e6370ULL /* "dncp" */, what, k * 2u + server);
    id = cm_gen_rng_below(&r, 0x10000);
    snprintf(out, n, "%04x%02x%04x%s", id, k == 0 ? 0u : 1u, (session + other) & 0xffffu,
             k == 0 ? (server ? "3b1a0000" : "51c000210a7368656c6c00") : "51c13b1b");
}

/* Name k of kind what in world w, into out (n bytes). */
static void name_of(const struct cm_gen_world *w, enum what what, unsigned k, char *out, size_t n)
{
    static const char *const variants[] = {"", "-eu", "-old"};
    struct cm_gen_rng r;
    char a[64], b[40];

    cm_gen_rng_derive(&r, w->seed, 0x746e6c31ULL /* "tnl1" */, what, k);
    switch (what) {
    case W_TESTER:
        cm_gen_rng_chars(&r, a, 60, b64ish, sizeof(b64ish) - 1);
        cm_gen_rng_chars(&r, b, 30, b64ish, sizeof(b64ish) - 1);
        a[60] = b[30] = '\0';
        snprintf(out, n, "%s.%s.guarddutyc2activityb.com", a, b);
        break;
    case W_HEX:
        cm_gen_rng_hex(&r, a, 30);
        cm_gen_rng_hex(&r, b, 30);
        a[30] = b[30] = '\0';
        snprintf(out, n, "%s.%s.guarddutytunnelactivity.com", a, b);
        break;
    case W_SEVEN:
        cm_gen_rng_hex(&r, a, 34);
        a[34] = '\0';
        snprintf(out, n, "%s.tunnel-seven.net", a);
        break;
    case W_REPEAT:
        cm_gen_rng_chars(&r, a, 40, b64ish, sizeof(b64ish) - 1);
        a[40] = '\0';
        snprintf(out, n, "%s.tunnel-repeat.net", a);
        break;
    case W_TRICKLE:
        cm_gen_rng_chars(&r, a, 29, b36, sizeof(b36) - 1);
        for (unsigned i = 3; i < 29; i += 4) {
            a[i] = (char)('2' + i % 8); /* digits strewn among the letters, as base36 has them */
        }
        a[29] = '\0';
        snprintf(out, n, "%s.tunnel-trickle.net", a);
        break;
    case W_SLOW:
    case W_SLOW_SHORT:
    case W_SLOW_SMALL:
        cm_gen_rng_hex(&r, a, what == W_SLOW_SMALL ? 24 : 40);
        a[what == W_SLOW_SMALL ? 24 : 40] = '\0';
        snprintf(out, n, "%s.%s", a,
                 what == W_SLOW         ? "telemetry-drip.net"
                 : what == W_SLOW_SHORT ? "drip-short.net"
                                        : "drip-small.net");
        break;
    case W_NUMBERED:
        snprintf(out, n, "u%08u.ct.numbered-hosts.net", 10000000u + cm_gen_rng_below(&r, 89999999));
        break;
    case W_CONTENT:
        cm_gen_rng_chars(&r, a, 52, b32, sizeof(b32) - 1);
        a[52] = '\0';
        if (k % 3 == 0) {
            snprintf(out, n, "bafybei%s.ipfs.cf-ipfs.com", a); /* a CIDv1 */
        } else if (k % 3 == 1) {
            snprintf(out, n, "%s.arweave.net", a); /* a transaction's sandbox */
        } else {
            a[26] = '\0';
            snprintf(out, n, "uc%s.dl.dropboxusercontent.com", a); /* a shared file */
        }
        break;
    case W_INVENTORY:
        snprintf(out, n, "%s%s.inventory-target.net", words[k % NWORDS], variants[k / NWORDS % 3]);
        break;
    case W_CYMRU:
        cm_gen_rng_hex(&r, a, 32);
        a[32] = '\0';
        snprintf(out, n, "%s.malware.hash.cymru.com", a);
        break;
    case W_ACM:
        cm_gen_rng_hex(&r, a, 32);
        a[32] = '\0';
        snprintf(out, n, "_%s.%s.acm-validated.net", a, words[k % NWORDS]);
        break;
    case W_COUNTER:
    case W_ONE_TOKEN:
        cm_gen_rng_chars(&r, a, 7, b36, sizeof(b36) - 1);
        a[7] = '\0';
        snprintf(out, n, "c%s.%s", a, what == W_COUNTER ? "sync-updates.net" : "token-repeat.net");
        break;
    case W_SPF:
    case W_CDN:
    case W_IDS:
        snprintf(out, n, "%s%s.%s", words[k % NWORDS], variants[k / NWORDS % 3],
                 what == W_SPF   ? "zone-verify.net"
                 : what == W_CDN ? "static-assets.net"
                                 : "id-zone.net");
        break;
    case W_SHORT4:
        cm_gen_rng_chars(&r, a, 16, b36, sizeof(b36) - 1);
        a[3] = '7';
        a[11] = '2';
        a[16] = '\0';
        snprintf(out, n, "%s.short-%u.net", a, k % 4);
        break;
    case W_DNSCAT:
    case W_DC_SILENT:
    case W_DC_THREE:
    case W_DC_ALIAS:
    case W_DC_OTHER:
        dnscat_packet(w, what, k, false, 0, a, sizeof(a));
        snprintf(out, n, "%s.%s", a,
                 what == W_DNSCAT      ? "git.pkg-mirror-sync.net"
                 : what == W_DC_SILENT ? "silent-relay.net"
                 : what == W_DC_THREE  ? "three-relay.net"
                 : what == W_DC_ALIAS  ? "alias-relay.net"
                                       : "other-relay.net");
        break;
    default: /* W_SPREAD, W_SINGLE, W_PAIR: 30 base36 characters */
        cm_gen_rng_chars(&r, a, 30, b36, sizeof(b36) - 1);
        for (unsigned i = 3; i < 30; i += 4) {
            a[i] = (char)('2' + i % 8);
        }
        a[30] = '\0';
        if (what == W_SPREAD) {
            snprintf(out, n, "%s.onedrive-sync-%u.net", a, k % 4);
        } else if (what == W_SINGLE) {
            snprintf(out, n, "%s.single-%u.net", a, k);
        } else if (what == W_AWS) {
            snprintf(out, n, "%s.s3.us-east-1.amazonaws.com", a);
        } else {
            snprintf(out, n, "%s.pair-%u.net", a, k % 2);
        }
        break;
    }
}

/* The answer data of query k of a group of kind what answered ans, into out (n bytes). */
static void answer_of(const struct cm_gen_world *w, enum what what, enum answer ans, unsigned k,
                      char *out, size_t n)
{
    struct cm_gen_rng r;
    char a[64];

    cm_gen_rng_derive(&r, w->seed, 0x746e6c61ULL /* "tnla" */, ans, ans == ANS_ONE_TOKEN ? 0 : k);
    if (ans == ANS_IDS && k % 3 == 0) {
        cm_gen_rng_hex(&r, a, 32); /* an id under the zone, among CDN names */
        a[32] = '\0';
        snprintf(out, n, "%s-%s.id-zone.net.", words[k % NWORDS], a);
        return;
    }
    switch (ans) {
    case ANS_DNSCAT:
    case ANS_OTHER:
        dnscat_packet(w, what, k, true, ans == ANS_OTHER ? 1 : 0, a, sizeof(a));
        snprintf(out, n, "\"%s\"", a);
        break;
    case ANS_ALIAS:
        dnscat_packet(w, what, k, false, 0, a, sizeof(a));
        snprintf(out, n, "%s.edge.alias-relay.net.", a);
        break;
    case ANS_TOKEN:
    case ANS_ONE_TOKEN:
        cm_gen_rng_chars(&r, a, 48, b32, sizeof(b32) - 1);
        for (unsigned i = 2; i < 48; i += 5) {
            a[i] = (char)('2' + i % 6); /* base32's digits among the letters */
        }
        a[48] = '\0';
        snprintf(out, n, "\"%s\"", a);
        break;
    case ANS_SPF:
        if (k % 2 == 0) {
            snprintf(out, n, "\"v=spf1 include:_spf.google.com include:amazonses.com ~all\"");
        } else {
            cm_gen_rng_chars(&r, a, 43, b64ish, sizeof(b64ish) - 1);
            a[43] = '\0';
            snprintf(out, n, "\"google-site-verification=%s\"", a);
        }
        break;
    default: /* ANS_CDN, ANS_IDS */
        cm_gen_rng_chars(&r, a, 13, b36, sizeof(b36) - 1);
        a[13] = '\0';
        snprintf(out, n, "d%s.cloudfront.net.", a);
        break;
    }
}

static const struct group tester_groups[] = {
    /* the tunnel */
    {600, 1, 930, TUNNEL, W_TESTER, 0, false, "A", 930, NULL, ANS_DEFAULT},
    {4260, 2, 20, TUNNEL, W_TESTER, 1000, false, "TXT", 20, NULL, ANS_DEFAULT},
    /* near misses */
    {900, 30, 7, NEAR, W_SEVEN, 0, false, "TXT", 0, "seven names", ANS_DEFAULT},
    {1200, 20, 50, NEAR, W_REPEAT, 0, true, "A", 0, "one name repeated", ANS_DEFAULT},
    {300, 600, 12, NEAR, W_TRICKLE, 0, false, "A", 0, "slow trickle", ANS_DEFAULT},
    {1500, 5, 100, NEAR, W_NUMBERED, 0, false, "A", 0, "numbered hosts", ANS_DEFAULT},
    {1800, 3, 150, NEAR, W_INVENTORY, 0, false, "CNAME", 0, "DNS inventory", ANS_DEFAULT},
    {2100, 2, 100, NEAR, W_CYMRU, 0, false, "TXT", 0, "hash look-ups", ANS_DEFAULT},
    {2400, 2, 30, NEAR, W_ACM, 0, false, "CNAME", 0, "ACM validation", ANS_DEFAULT},
    {2700, 2, 300, NEAR, W_CONTENT, 0, false, "A", 0, "content-addressed hosts", ANS_DEFAULT},
    {700, 1, 200, ONPREM, W_TESTER, 5000, false, "A", 0, "office client", ANS_DEFAULT},
};

static const struct plan tester = {
    tester_groups,
    sizeof(tester_groups) / sizeof(tester_groups[0]),
    CM_GEN_TIER_APP,
    CM_GEN_TIER_WEB,
    2,
    "domain=\"guarddutyc2activityb.com\"&encoding=\"base64\"&windowSeconds=3600",
    false,
};

static const struct group hex_groups[] = {
    {900, 2, 40, TUNNEL, W_HEX, 0, false, NULL, 40, NULL, ANS_DEFAULT},
    /* near misses from the same instance, under other domains */
    {1000, 4, 30, NEAR, W_ACM, 100, false, "CNAME", 0, "ACM validation", ANS_DEFAULT},
    {1100, 1, 200, NEAR, W_CYMRU, 1000, false, "TXT", 0, "hash look-ups", ANS_DEFAULT},
    {1400, 10, 40, NEAR, W_REPEAT, 100, true, "TXT", 0, "one name repeated", ANS_DEFAULT},
    {1900, 10, 7, NEAR, W_SEVEN, 200, false, "TXT", 0, "seven names", ANS_DEFAULT},
};

static const struct plan hex = {
    hex_groups,
    sizeof(hex_groups) / sizeof(hex_groups[0]),
    CM_GEN_TIER_WORKER,
    CM_GEN_TIER_WORKER,
    1,
    "domain=\"guarddutytunnelactivity.com\"&encoding=\"hex\"&uniqueSubdomains=40",
    false,
};

static const struct group download_groups[] = {
    {600, 3, 40, TUNNEL, W_COUNTER, 0, false, "TXT", 40, NULL, ANS_TOKEN},
    /* near misses from the same instance */
    {700, 2, 60, NEAR, W_SPF, 0, false, "TXT", 0, "SPF and verification answers", ANS_SPF},
    {900, 2, 40, NEAR, W_CDN, 0, false, "A", 0, "CNAME to a CDN", ANS_CDN},
    {1100, 3, 30, NEAR, W_ONE_TOKEN, 0, false, "TXT", 0, "one token answered", ANS_ONE_TOKEN},
    {1300, 3, 45, NEAR, W_IDS, 0, false, "CNAME", 0, "ids among the answers", ANS_IDS},
};

static const struct plan download = {
    download_groups,
    sizeof(download_groups) / sizeof(download_groups[0]),
    CM_GEN_TIER_DB,
    CM_GEN_TIER_DB,
    1,
    "domain=\"sync-updates.net\"&dataAnswers=40",
    false,
};

static const struct group spread_groups[] = {
    {900, 20, 16, TUNNEL, W_SPREAD, 0, false, "A", 16, NULL, ANS_DEFAULT},
    /* near misses from a bastion instance */
    {1000, 30, 12, NEAR, W_SINGLE, 0, false, "A", 0, "one name per domain", ANS_DEFAULT},
    {1100, 20, 12, NEAR, W_AWS, 0, false, "A", 0, "allow-listed zone", ANS_DEFAULT},
    {1500, 30, 8, NEAR, W_SHORT4, 0, false, "A", 0, "four domains, 80 bytes", ANS_DEFAULT},
    /* the next hour: a new window */
    {5400, 30, 10, NEAR, W_PAIR, 0, false, "A", 0, "two domains", ANS_DEFAULT},
};

static const struct plan spread = {
    spread_groups,
    sizeof(spread_groups) / sizeof(spread_groups[0]),
    CM_GEN_TIER_CACHE,
    CM_GEN_TIER_BASTION,
    2,
    "spread=true&domains=4&uniqueSubdomains=16&bytes=300",
    false,
};

/*
 * Starts at 3 hours: the web and bastion instances' near misses of the
 * other plans (tester, spread) are over, their spread windows closed, when
 * every plan runs together.
 */
static const struct group dnscat_groups[] = {
    {11000, 1, 5, TUNNEL, W_DNSCAT, 0, false, "TXT", 5, NULL, ANS_DNSCAT},
    /* near misses from a bastion instance, two domains an hour (no spread) */
    {11000, 2, 6, NEAR, W_DC_SILENT, 0, false, "TXT", 0, "a session never answered", ANS_DEFAULT},
    {11100, 2, 3, NEAR, W_DC_THREE, 0, false, "TXT", 0, "three packets answered", ANS_DNSCAT},
    {14800, 2, 6, NEAR, W_DC_ALIAS, 0, false, "CNAME", 0, "answered with itself", ANS_ALIAS},
    {14900, 2, 6, NEAR, W_DC_OTHER, 0, false, "TXT", 0, "another session's answers", ANS_OTHER},
};

static const struct plan dnscat_plan = {
    dnscat_groups,
    sizeof(dnscat_groups) / sizeof(dnscat_groups[0]),
    CM_GEN_TIER_WEB,
    CM_GEN_TIER_BASTION,
    5,
    "domain=\"pkg-mirror-sync.net\"&tool=\"dnscat2\"&sessionPackets=5&serverPackets=5",
    false,
};

/*
 * The second app-tier instance (the first is the tester's tunnel: one
 * finding per instance), from 2 h.
 */
static const struct group slow_groups[] = {
    {7200, 600, 54, TUNNEL, W_SLOW, 0, false, "A", 54, NULL, ANS_DEFAULT},
    /* near misses from a worker instance */
    {7200, 600, 40, NEAR, W_SLOW_SHORT, 0, false, "A", 0, "forty names in a day", ANS_DEFAULT},
    {7300, 600, 60, NEAR, W_SLOW_SMALL, 0, false, "A", 0, "names of 12 bytes", ANS_DEFAULT},
    {7400, 600, 60, NEAR, W_REPEAT, 300, true, "A", 0, "one name all day", ANS_DEFAULT},
    {7500, 600, 60, NEAR, W_CYMRU, 2000, false, "TXT", 0, "hash look-ups all day", ANS_DEFAULT},
};

static const struct plan slow_plan = {
    slow_groups,
    sizeof(slow_groups) / sizeof(slow_groups[0]),
    CM_GEN_TIER_APP,
    CM_GEN_TIER_WORKER,
    11,
    "domain=\"telemetry-drip.net\"&slow=true&uniqueSubdomains=54&bytes=1080&windowSeconds=86400",
    true,
};

/* The tunnel's and the near misses' instances (world indexes; -1: none). */
static void actors(const struct cm_gen_world *w, const struct plan *p, long *tunnel, long *near)
{
    *tunnel = cm_gen_sc_instance(w, (enum cm_gen_tier)p->tier, -1);
    if (*tunnel >= 0 && p->second) {
        long k = cm_gen_sc_instance(w, (enum cm_gen_tier)p->tier, *tunnel);

        *tunnel = k >= 0 && w->instances[k].tier == p->tier ? k : *tunnel;
    }
    if (*tunnel < 0 || p->near == p->tier) {
        *near = *tunnel;
        return;
    }
    *near = cm_gen_sc_instance(w, (enum cm_gen_tier)p->near, *tunnel);
}

static void query(struct cm_gen_file *f, const struct group *g, unsigned i,
                  const struct cm_gen_instance *in, int64_t t)
{
    static const char *const turn[] = {"TXT", "CNAME", "MX"};
    const struct cm_gen_world *w = f->env->world;
    struct cm_gen_dns_answer ans[2];
    struct cm_gen_dns_query q;
    char name[200], ip[16], data[96];

    memset(&q, 0, sizeof(q));
    name_of(w, (enum what)g->what, g->k0 + (g->same ? 0 : i), name, sizeof(name));
    q.t = t;
    q.in = g->who == ONPREM ? NULL : in;
    q.srcaddr = ONPREM_CLIENT;
    q.srcport = (uint16_t)(32768 + cm_gen_hash4(w->seed, 0x746e6c71ULL, g->at, i) % 28232);
    q.name = name;
    q.qtype = g->qtype != NULL ? g->qtype : turn[i % 3];
    q.rcode = g->what == W_INVENTORY || g->what == W_CYMRU ? "NXDOMAIN" : "NOERROR";
    if (g->ans != ANS_DEFAULT) {
        answer_of(w, (enum what)g->what, (enum answer)g->ans, g->k0 + i, data, sizeof(data));
        ans[0].rdata = data;
        ans[0].type =
            g->ans == ANS_CDN || g->ans == ANS_IDS || g->ans == ANS_ALIAS ? "CNAME" : "TXT";
        q.nanswers = 1;
    }
    if (strcmp(q.qtype, "A") == 0 && g->what != W_INVENTORY) {
        cm_gen_sc_ip_str(ANSWER + 1 + (i % 200), ip);
        ans[q.nanswers].rdata = ip;
        ans[q.nanswers].type = "A";
        q.nanswers++;
    }
    q.answers = ans;
    cm_gen_dns_write(f, &q);
}

/* Whether run c is long enough for plan p (else the scenario adds nothing). */
static bool fits(const struct plan *p, const struct cm_gen_config *c)
{
    return c->hours >= p->hours;
}

static int tunnel_emit(const struct cm_gen_scenario *sc, struct cm_gen_file *f)
{
    const struct plan *p = sc->plan;
    const struct cm_gen_world *w = f->env->world;
    long tunnel, near;

    actors(w, p, &tunnel, &near);
    if (f->kind != CM_GEN_DNS || tunnel < 0 || !fits(p, f->env->cfg)) {
        return 0;
    }
    for (size_t gi = 0; gi < p->n; gi++) {
        const struct group *g = &p->groups[gi];
        long who = g->who == NEAR ? near : tunnel;

        if (who < 0) {
            continue;
        }
        for (unsigned i = 0; i < g->n; i++) {
            int64_t t = cm_gen_sc_time(f, g->at + (unsigned)g->step * i);

            if (cm_gen_sc_in_file(f, t)) {
                query(f, g, i, &w->instances[who], t);
            }
        }
    }
    return f->t.err;
}

static int tunnel_expect(const struct cm_gen_scenario *sc, const struct cm_gen_config *c,
                         const struct cm_gen_world *w, struct cm_gen_expect *e)
{
    const struct plan *p = sc->plan;
    char name[200], mark[320], ip[16];
    long tunnel, near;

    actors(w, p, &tunnel, &near);
    if (tunnel < 0 || !fits(p, c)) {
        return CM_ENOTFOUND;
    }
    memset(e, 0, sizeof(*e));
    e->type = sc->finding_types;
    e->list = NULL; /* a heuristic finding: no threat list */
    e->severity = 8.0;
    snprintf(e->resource, sizeof(e->resource), "%s", w->instances[tunnel].id);
    snprintf(e->info, sizeof(e->info), "%s", p->info);
    cm_gen_sc_ip_str(ONPREM_CLIENT, ip);
    for (size_t gi = 0; gi < p->n; gi++) {
        const struct group *g = &p->groups[gi];

        e->count += g->hits;
        if (g->near == NULL || (g->who == NEAR && near < 0)) {
            continue;
        }
        name_of(w, (enum what)g->what, g->k0, name, sizeof(name));
        if (g->who == ONPREM) {
            snprintf(mark, sizeof(mark), "\"query_name\":\"%s.\"&\"srcaddr\":\"%s\"", name, ip);
        } else {
            snprintf(mark, sizeof(mark), "\"query_name\":\"%s.\"&\"instance\":\"%s\"", name,
                     w->instances[near].id);
        }
        if (cm_gen_sc_note_near(e, mark) != 0) {
            return CM_E2BIG;
        }
    }
    return 1;
}

static size_t tunnel_needs(const struct cm_gen_scenario *sc, const struct cm_gen_world *w,
                           struct cm_gen_need *out)
{
    const struct plan *p = sc->plan;

    (void)w;
    return cm_gen_sc_need_hours(p->hours, out);
}

const struct cm_gen_scenario cm_gen_sc_dns_exfil_tester = {"dns-exfil-tester",
                                                           TYPE,
                                                           CM_GEN_KIND_BIT(CM_GEN_DNS),
                                                           tunnel_emit,
                                                           NULL,
                                                           tunnel_expect,
                                                           &tester,
                                                           tunnel_needs};

const struct cm_gen_scenario cm_gen_sc_dns_tunnel_hex = {
    "dns-tunnel-hex", TYPE, CM_GEN_KIND_BIT(CM_GEN_DNS), tunnel_emit, NULL, tunnel_expect, &hex,
    tunnel_needs};

const struct cm_gen_scenario cm_gen_sc_dns_tunnel_download = {"dns-tunnel-download",
                                                              TYPE,
                                                              CM_GEN_KIND_BIT(CM_GEN_DNS),
                                                              tunnel_emit,
                                                              NULL,
                                                              tunnel_expect,
                                                              &download,
                                                              tunnel_needs};

const struct cm_gen_scenario cm_gen_sc_dns_tunnel_dnscat = {
    "dns-tunnel-dnscat", TYPE,        CM_GEN_KIND_BIT(CM_GEN_DNS), tunnel_emit, NULL, tunnel_expect,
    &dnscat_plan,        tunnel_needs};

const struct cm_gen_scenario cm_gen_sc_dns_tunnel_spread = {"dns-tunnel-spread",
                                                            TYPE,
                                                            CM_GEN_KIND_BIT(CM_GEN_DNS),
                                                            tunnel_emit,
                                                            NULL,
                                                            tunnel_expect,
                                                            &spread,
                                                            tunnel_needs};

const struct cm_gen_scenario cm_gen_sc_dns_tunnel_slow = {
    "dns-tunnel-slow", TYPE,        CM_GEN_KIND_BIT(CM_GEN_DNS), tunnel_emit, NULL, tunnel_expect,
    &slow_plan,        tunnel_needs};
