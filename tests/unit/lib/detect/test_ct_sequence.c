/*
 * Attack sequences (lib/detect/ct_sequence.c) are the same whatever order the
 * detections of their credential come in: the logs of one attack scanned
 * whole, scanned hour by hour with a state file, or with the CloudTrail files
 * delivered late and out of order, must fold (lib/finding/aggregate.c) into
 * the same findings: id, count, first and last seen, the signals and tactics
 * additionalInfo lists, and the records the finding cites.
 *
 * The detector is driven directly with hand-made detections of one access
 * key: records of its attack, some raising two detections (a Tor address and
 * a pentest user agent in one call), more finding types than the detector
 * keeps signals for, in two regions (one finding a sequence, in the region it
 * began in). Every order of the records (time order, reversed,
 * shuffled; a record's detections stay together, as the engine hands them on)
 * and a save and load midway give what time order gives.
 *
 * With the findings pipeline's cm_finding_ref (cm_detect_config.finding_ref, as
 * the scan sets it), every signal a sequence lists is one of the findings the
 * aggregator holds: its uid that finding's id, its severity and count the
 * finding's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "detect/ckpt.h"
#include "detect/ct.h"
#include "detect/detect.h"
#include "finding/aggregate.h"
#include "finding/finding.h"

#include "../finding/finding_util.h"

#define KEY    "AKIAIOSFODNN7EXAMPLE"
#define BUCKET "example-data-bucket"
#define PROBES 14 /* Discovery types beyond the first: with them, more types than signals */
#define MAXREC (7 + 80)
#define OUTMAX 16384
#define LINE   6144 /* a finding described: its info is at most CM_DETECTION_MAX_INFO */

/* One CloudTrail record of the key and the finding types it raised (at most 2). */
struct rec {
    int64_t t_s; /* seconds after T_EVTIME */
    const char *type[2];
    bool bucket; /* its findings are about BUCKET (the key is the actor) */
    bool west;   /* made in OTHER_REGION, not T_REGION */
};

#define OTHER_REGION "eu-west-1"

/* The options the detector is made with: NULL, or with_ref (cm_finding_ref). */
static const struct cm_detect_opts *opts;
/* The autonomous system of an address (cm_detect_config.asn): 192.0.2.0/24 is AS64500's. */
static bool fake_asn(void *ud, const struct cm_ip *ip, uint32_t *asn, char *org, size_t orglen)
{
    (void)ud;
    if (ip->family != CM_IP_V4 || ip->a[0] != 192 || ip->a[1] != 0 || ip->a[2] != 2) {
        return false;
    }
    *asn = 64500;
    snprintf(org, orglen, "Example Transit");
    return true;
}

static struct cm_detect_config ref_config = {.finding_ref = cm_finding_ref, .asn = fake_asn};
static const struct cm_detect_opts with_ref = {.config = &ref_config};

static char probe_types[PROBES][128];
static const char *probe_suffix = ""; /* lengthens the probes' names */
static bool role_session;             /* the key is an assumed role's session's */
static char event_ids[MAXREC][16];
static int nrec; /* records in recs */
static struct rec recs[MAXREC] = {
    {0, {"Recon:IAMUser/TorIPCaller", "UnauthorizedAccess:IAMUser/TorIPCaller"}, false, false},
    {60, {"PenTest:IAMUser/KaliLinux", NULL}, false, true},
    {120, {"Discovery:S3/TorIPCaller", NULL}, true, false},
    {180, {"Stealth:IAMUser/CloudTrailLoggingDisabled", "PenTest:IAMUser/KaliLinux"}, false, true},
    {240, {"Exfiltration:S3/MaliciousIPCaller", NULL}, true, false},
    {300, {"Policy:S3/BucketBlockPublicAccessDisabled", NULL}, true, false},
    {360, {"Impact:S3/MaliciousIPCaller", "PenTest:S3/KaliLinux"}, true, false},
};

/*
 * The attack (7 records) and nprobes records of Discovery after it: of
 * PROBES types (more types than signals), or with more_records of one type,
 * more records than the detector keeps apart before the S3 sequence holds.
 */
static void setup_recs(int nprobes, bool more_records)
{
    nrec = 7 + nprobes;
    for (int i = 0; i < nprobes; i++) {
        if (more_records) {
            /* Before the exfiltration, so the S3 sequence holds after them all. */
            recs[7 + i] =
                (struct rec){200 + i / 4, {"Discovery:IAMUser/Probe00", NULL}, false, i % 2 == 1};
            continue;
        }
        snprintf(probe_types[i], sizeof(probe_types[i]), "Discovery:IAMUser/Probe%02d%s", i,
                 probe_suffix);
        recs[7 + i] = (struct rec){400 + 10 * i, {probe_types[i], NULL}, false, i % 2 == 1};
    }
    for (int i = 0; i < nrec; i++) {
        snprintf(event_ids[i], sizeof(event_ids[i]), "ev-%04d", i);
    }
}

/* The sink: every detection into the aggregator. */
struct fold {
    struct cm_sink sink;
    struct cm_agg *agg;
    struct cm_finding_ctx ctx;
};

static int fold_emit(struct cm_sink *sink, const struct cm_detection *d)
{
    struct fold *f = sink->ud;

    return cm_agg_add(f->agg, &f->ctx, d, NULL, NULL);
}

/* Hands record i's detections to the detector (state st). */
static void feed(void *st, struct fold *f, struct t_events *e, int i)
{
    struct cm_event ev = e->ct;

    ev.time_ms = T_EVTIME + recs[i].t_s * 1000;
    ev.src.offset = 1000u * (unsigned)i;
    ev.u.ct.event_id = cm_str_cstr(event_ids[i]);
    if (role_session) {
        ev.u.ct.uid.type = CM_UID_ASSUMEDROLE;
        ev.u.ct.uid.type_name = CM_STR_LIT("AssumedRole");
        ev.u.ct.uid.principal_id = CM_STR_LIT("AROAEXAMPLEROLE00001:thief");
        ev.u.ct.uid.user_name = CM_STR_NULL;
        ev.u.ct.uid.issuer_user_name = CM_STR_LIT("deploy-role");
        ev.u.ct.uid.issuer_arn = CM_STR_LIT("arn:aws:iam::" T_ACCOUNT ":role/deploy-role");
        ev.u.ct.uid.creation_date = CM_STR_LIT("2025-03-04T09:00:00Z");
        ev.u.ct.uid.mfa_authenticated = CM_STR_LIT("false");
    }
    if (i % 3 == 1) { /* the thief's second address */
        ev.u.ct.source_ip_address = CM_STR_LIT("192.0.2.44");
        t_ip(&ev.u.ct.source_ip, "192.0.2.44");
    }
    if (recs[i].west) {
        ev.region = CM_STR_LIT(OTHER_REGION);
    }
    for (int k = 0; k < 2 && recs[i].type[k] != NULL; k++) {
        struct cm_detection d = t_detection(recs[i].type[k], &ev);

        d.time_ms = d.first_ms = ev.time_ms;
        d.region = ev.region;
        d.count = 1;
        d.evidence[0] = ev.src;
        if (recs[i].bucket) {
            d.resource_type = CM_RES_S3_BUCKET;
            d.resource_id = CM_STR_LIT(BUCKET);
            d.actor = CM_STR_LIT(KEY);
        } else {
            d.resource_type = CM_RES_ACCESS_KEY;
            d.resource_id = CM_STR_LIT(KEY);
        }
        /* The signal's own finding first (the engine's relay), then the correlator. */
        assert_int_equal(cm_agg_add(f->agg, &f->ctx, &d, NULL, NULL), 0);
        assert_int_equal(cm_detector_ct_sequence.on_detection(st, &d, &f->sink), 0);
    }
}

static int cmp_line(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The finding of f whose id is the 32 characters at id, else NULL. */
static const struct cm_finding *finding_by_id(const struct fold *f, const char *id)
{
    for (size_t i = 0; cm_agg_at(f->agg, i) != NULL; i++) {
        const struct cm_finding *x = cm_agg_at(f->agg, i);

        if (memcmp(x->id, id, CM_FINDING_ID_LEN) == 0 && id[CM_FINDING_ID_LEN] == '"') {
            return x;
        }
    }
    return NULL;
}

/*
 * Checks that every signal sequence x lists is a finding of f: its uid that
 * finding's id, its name, severity and count the finding's.
 */
static void check_members(const struct fold *f, const struct cm_finding *x)
{
    const char *p = strstr(x->additional_info.p, "\"signals\":[");
    const char *end = strstr(x->additional_info.p, "\"sequenceIndicators\"");
    int n = 0;

    assert_non_null(p);
    assert_non_null(end);
    while ((p = strstr(p, "{\"uid\":\"")) != NULL && p < end) {
        const struct cm_finding *m;
        char want[256];
        const char *c;

        p += 8;
        m = finding_by_id(f, p);
        assert_non_null(m); /* before 2026-12-05: a hash of 16 characters, no finding's */
        snprintf(want, sizeof(want), "\"type\":\"FINDING\",\"name\":\"%.*s\",\"severity\":%g,",
                 (int)m->type.len, m->type.p, m->severity);
        assert_memory_equal(p + CM_FINDING_ID_LEN + 2, want, strlen(want));
        c = strstr(p, "\"count\":");
        assert_non_null(c);
        assert_int_equal(strtoul(c + 8, NULL, 10), m->count);
        n++;
    }
    assert_true(n > 0);
}

/* The sequence findings of f, one line each (sorted), into out. */
static void describe(const struct fold *f, char *out, size_t cap)
{
    char *lines[8];
    size_t n = 0, used = 0;

    for (size_t i = 0; cm_agg_at(f->agg, i) != NULL; i++) {
        const struct cm_finding *x = cm_agg_at(f->agg, i);
        char *l;

        if (x->type.len < 15 || memcmp(x->type.p, "AttackSequence:", 15) != 0) {
            continue;
        }
        assert_true(n < 8);
        if (opts != NULL) {
            check_members(f, x);
        }
        l = lines[n++] = malloc(LINE);
        assert_non_null(l);
        snprintf(l, LINE,
                 "%s %.*s region=%.*s count=%u first=%lld last=%lld info=%.*s evidence=", x->id,
                 (int)x->type.len, x->type.p, (int)x->region.len, x->region.p, (unsigned)x->count,
                 (long long)x->first_seen_ms, (long long)x->last_seen_ms,
                 (int)x->additional_info.len, x->additional_info.p);
        /* The records it cites: of the signals it lists, each one's earliest. */
        for (uint32_t k = 0; k < x->nevidence; k++) {
            snprintf(l + strlen(l), LINE - strlen(l), "%llu ",
                     (unsigned long long)x->evidence[k].ref.offset);
        }
        snprintf(l + strlen(l), LINE - strlen(l), "\n");
    }
    qsort(lines, n, sizeof(lines[0]), cmp_line);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(lines[i]);

        assert_true(used + len < cap);
        memcpy(out + used, lines[i], len + 1);
        used += len;
        free(lines[i]);
    }
}

static void fold_init(struct fold *f)
{
    memset(f, 0, sizeof(*f));
    f->sink = (struct cm_sink){fold_emit, f};
    f->ctx = t_ctx();
    assert_int_equal(cm_agg_create(&f->agg, 0, 7), 0);
}

/*
 * Runs the records in order[0 .. nrec) through a detector into out; with
 * split > 0, the detector is saved after order[split - 1] and the rest goes
 * to a fresh one loaded from that (the aggregator, like a store, goes on);
 * with twice, every record is then run again (--reread with a state file).
 */
static void run_order(const int *order, int split, bool twice, char *out, size_t cap)
{
    const struct cm_detector *det = &cm_detector_ct_sequence;
    struct t_events e;
    struct fold f;
    void *st = NULL;

    t_events_init(&e);
    fold_init(&f);
    assert_int_equal(det->init(&st, opts), 0);
    for (int i = 0; i < nrec; i++) {
        if (split > 0 && i == split) {
            struct cm_ckpt_w w;
            struct cm_ckpt_r r;
            void *st2 = NULL;

            cm_ckpt_w_init(&w, 0);
            assert_int_equal(det->save(st, &w), 0);
            assert_int_equal(cm_ckpt_w_err(&w), 0);
            assert_int_equal(det->init(&st2, opts), 0);
            cm_ckpt_r_init(&r, w.buf.p, w.buf.len);
            assert_int_equal(det->load(st2, &r), 0);
            assert_int_equal(r.off, w.buf.len);
            cm_ckpt_w_finish(&w);
            det->finish(st);
            st = st2;
        }
        feed(st, &f, &e, order[i]);
    }
    for (int i = 0; twice && i < nrec; i++) {
        feed(st, &f, &e, order[i]);
    }
    describe(&f, out, cap);
    det->finish(st);
    cm_agg_destroy(f.agg);
    t_events_finish(&e);
}

/* A permutation of 0 .. nrec-1 from seed (xorshift; seed 0: as listed). */
static void permute(int *order, uint32_t seed)
{
    uint32_t x = seed;

    for (int i = 0; i < nrec; i++) {
        order[i] = i;
    }
    for (int i = nrec - 1; seed != 0 && i > 0; i--) {
        int j, t;

        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        j = (int)(x % (uint32_t)(i + 1));
        t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
}

/* Runs the records in the orders every test tries; each must give want. */
static void same_in_every_order(const char *want)
{
    static char got[OUTMAX];
    int order[MAXREC];

    for (int i = 0; i < nrec; i++) {
        order[i] = nrec - 1 - i;
    }
    run_order(order, 0, false, got, sizeof(got));
    assert_string_equal(got, want);
    for (uint32_t seed = 1; seed <= 12; seed++) {
        permute(order, seed * 2654435761u);
        run_order(order, 0, false, got, sizeof(got));
        assert_string_equal(got, want);
        /* And with the state saved and loaded midway (scans with --state). */
        run_order(order, (int)(seed % (uint32_t)(nrec - 1)) + 1, false, got, sizeof(got));
        assert_string_equal(got, want);
    }
}

static void test_order_free(void **state)
{
    static char want[OUTMAX];
    int order[MAXREC];
    const char *sig;

    (void)state;
    setup_recs(PROBES, false);
    permute(order, 0);
    run_order(order, 0, false, want, sizeof(want));
    /* Both sequences, one finding each, in the region the first record was made in, each
     * counting every record of the key once (a record's two detections are one), from the
     * first to the last, whatever completed it. */
    assert_non_null(strstr(want, "AttackSequence:IAM/CompromisedCredentials region=" T_REGION
                                 " count=21 first=1741082400000 last=1741082930000"));
    assert_non_null(strstr(want, "AttackSequence:S3/CompromisedData region=" T_REGION
                                 " count=21 first=1741082400000 last=1741082930000"));
    assert_null(strstr(strchr(strchr(want, '\n') + 1, '\n') + 1, "AttackSequence"));
    /* The signals last seen latest, in the order they began; every tactic. */
    sig = strstr(want, "\"signals\":[{\"uid\":\"");
    assert_non_null(sig);
    sig = strstr(sig, "\"type\":");
    assert_non_null(sig);
    assert_memory_equal(sig, "\"type\":\"FINDING\",\"name\":\"Discovery:IAMUser/Probe06\"", 51);
    assert_non_null(strstr(want, "\"sequenceIndicators\":[{\"key\":\"ATTACK_TACTIC\","
                                 "\"values\":[\"Discovery\",\"InitialAccess\",\"DefenseEvasion\","
                                 "\"Exfiltration\",\"Impact\",\"PenTest\"]"));
    /* GuardDuty's Sequence: the credential is the actor, the bucket the S3 one's resource. */
    assert_non_null(strstr(want, "{\"sequence\":{\"uid\":\""));
    assert_non_null(strstr(want, "\"actors\":[{\"id\":\""));
    assert_non_null(strstr(want, "\"resourceType\":\"S3_BUCKET\""));
    assert_non_null(strstr(want, "\"resourceType\":\"ACCESS_KEY\""));
    same_in_every_order(want);
}

/* More records before the S3 sequence holds than the detector keeps apart (PENDING): the
 * ones it let go are counted in bulk, and the count is still every record, in any order. */
static void test_more_records(void **state)
{
    static char want[OUTMAX];
    int order[MAXREC];

    (void)state;
    setup_recs(80, true);
    permute(order, 0);
    run_order(order, 0, false, want, sizeof(want));
    assert_non_null(
        strstr(want, "AttackSequence:IAM/CompromisedCredentials region=" T_REGION " count=87 "));
    assert_non_null(
        strstr(want, "AttackSequence:S3/CompromisedData region=" T_REGION " count=87 "));
    same_in_every_order(want);
}

/*
 * The same records analysed again with the state carried (--reread, a file read twice
 * under two names): each was counted by its own key, so none is counted again. Before
 * 2026-12-05 the records before a sequence held were counted again (S3 24 -> 76).
 */
static void test_again(void **state)
{
    static char got[OUTMAX];
    int order[MAXREC];

    (void)state;
    setup_recs(PROBES, false);
    permute(order, 5u * 2654435761u);
    run_order(order, 3, true, got, sizeof(got));
    assert_non_null(strstr(got, "AttackSequence:IAM/CompromisedCredentials region=" T_REGION
                                " count=21 first=1741082400000 last=1741082930000"));
    assert_non_null(strstr(got, "AttackSequence:S3/CompromisedData region=" T_REGION
                                " count=21 first=1741082400000 last=1741082930000"));
}

/*
 * With the pipeline's cm_finding_ref, as a scan has it: the signals are the findings
 * the aggregator holds (check_members: uid, name, severity, count), in every order and
 * with the state saved and loaded midway.
 */
static void test_members(void **state)
{
    static char want[OUTMAX];
    int order[MAXREC];

    (void)state;
    opts = &with_ref;
    setup_recs(PROBES, false);
    permute(order, 0);
    run_order(order, 0, false, want, sizeof(want));
    assert_non_null(strstr(want, "AttackSequence:IAM/CompromisedCredentials region=" T_REGION
                                 " count=21 first=1741082400000 last=1741082930000"));
    assert_non_null(strstr(want, "\"name\":\"Discovery:IAMUser/Probe13\",\"severity\":5,"));
    /* Who used the key, as its findings' accessKeyDetails say, and where from. */
    assert_non_null(strstr(want, "\"actors\":[{\"id\":\"" KEY "\",\"user\":{\"name\":\"ci-deploy\","
                                 "\"uid\":\"AIDAJQABLZS4A3QDU576Q\",\"type\":\"IAMUser\","
                                 "\"credentialUid\":\"" KEY "\",\"account\":{\"uid\":\"" T_ACCOUNT
                                 "\"}}}]"));
    assert_non_null(strstr(want,
                           "{\"id\":\"192.0.2.44\",\"ip\":\"192.0.2.44\",\"autonomousSystem\":"
                           "{\"name\":\"Example Transit\",\"number\":64500}}"));
    assert_non_null(strstr(want, "{\"id\":\"198.51.100.7\",\"ip\":\"198.51.100.7\"}"));
    assert_non_null(strstr(want, "\"endpointIds\":[\"192.0.2.44\"]"));
    same_in_every_order(want);
    setup_recs(80, true);
    permute(order, 0);
    run_order(order, 0, false, want, sizeof(want));
    same_in_every_order(want);
    /* The attack alone: its callers on threat lists, as the finding types say (the Tor ones,
     * at its start, are not among the signals listed). */
    setup_recs(0, false);
    permute(order, 0);
    run_order(order, 0, false, want, sizeof(want));
    assert_non_null(strstr(want, "{\"key\":\"MALICIOUS_IP\",\"values\":[\"192.0.2.44\","
                                 "\"198.51.100.7\"],\"title\":"));
    assert_non_null(strstr(want, "\"name\":\"Exfiltration:S3/MaliciousIPCaller\""));
    assert_non_null(strstr(want, "\"signalIndicators\":[{\"key\":\"ATTACK_TACTIC\",\"values\":"
                                 "[\"Exfiltration\"]},{\"key\":\"MALICIOUS_IP\",\"values\":["
                                 "\"192.0.2.44\"]}]"));
    same_in_every_order(want);
    opts = NULL;
}

/*
 * Signals too long for a finding's additionalInfo (CM_DETECTION_MAX_INFO): the
 * sequence still makes its finding, listing the newest that fit. Before
 * 2026-12-05 its info went past the bound, the finding could not be built and
 * the sequence was lost.
 */
static void test_bounded(void **state)
{
    static char want[OUTMAX];
    const char *end;
    int order[MAXREC];
    const char *p;
    int listed = 0;

    (void)state;
    opts = &with_ref;
    probe_suffix = "-of-a-name-as-long-as-a-detector-may-give-0123456789-0123456789-01234";
    setup_recs(PROBES, false);
    permute(order, 0);
    run_order(order, 0, false, want, sizeof(want));
    assert_non_null(strstr(want, "AttackSequence:IAM/CompromisedCredentials region=" T_REGION
                                 " count=21 first=1741082400000 last=1741082930000"));
    assert_non_null(strstr(want, "AttackSequence:S3/CompromisedData region=" T_REGION
                                 " count=21 first=1741082400000 last=1741082930000"));
    p = strstr(want, "AttackSequence:IAM/CompromisedCredentials");
    end = strchr(p, '\n');
    assert_true((size_t)(end - p) < LINE - 1); /* not cut */
    for (p = strstr(p, "\"signals\":["); (p = strstr(p, "\"type\":\"FINDING\"")) != NULL && p < end;
         p++) {
        listed++;
    }
    assert_true(listed >= 4 && listed < 8);
    same_in_every_order(want);
    probe_suffix = "";
    opts = NULL;
}

/*
 * The key of an assumed role's session: the actor's user is the role, as the findings'
 * accessKeyDetails say, and its session what the records' sessionContext says.
 */
static void test_session(void **state)
{
    static char want[OUTMAX];
    int order[MAXREC];

    (void)state;
    opts = &with_ref;
    role_session = true;
    setup_recs(PROBES, false);
    permute(order, 0);
    run_order(order, 0, false, want, sizeof(want));
    assert_non_null(strstr(want,
                           "\"user\":{\"name\":\"deploy-role\",\"uid\":\"AROAEXAMPLEROLE00001:"
                           "thief\",\"type\":\"AssumedRole\",\"credentialUid\":\"" KEY "\","
                           "\"account\":{\"uid\":\"" T_ACCOUNT "\"}},\"session\":{\"mfaStatus\":"
                           "\"DISABLED\",\"createdTime\":\"2025-03-04T09:00:00.000Z\",\"issuer\":"
                           "\"arn:aws:iam::" T_ACCOUNT ":role/deploy-role\"}}]"));
    same_in_every_order(want);
    role_session = false;
    opts = NULL;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_free), cmocka_unit_test(test_more_records),
        cmocka_unit_test(test_again),      cmocka_unit_test(test_members),
        cmocka_unit_test(test_bounded),    cmocka_unit_test(test_session),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
