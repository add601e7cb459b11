/*
 * Unit tests for the aggregation of repeated detections: one finding per
 * identity, counts, first/last seen, updatedAt, latest actor, port probes and
 * evidence accumulating (each record and probe once when a re-scan brings
 * them again), distinct identities kept apart, the cap.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "base/err.h"
#include "finding/aggregate.h"

#include "finding_util.h"

static void test_repeats_fold(void **state)
{
    struct t_events e;
    struct cm_finding_ctx ctx = t_ctx();
    struct cm_agg *a;
    struct cm_finding *f = NULL;
    bool is_new = false;
    char first_id[CM_FINDING_ID_LEN + 1];
    (void)state;

    t_events_init(&e);
    assert_int_equal(cm_agg_create(&a, 0, 7), 0);
    for (int i = 0; i < 5; i++) {
        struct cm_detection d;
        e.flow.src.offset = 1000u * (unsigned)i; /* a different record each time */
        e.flow.u.flow.start = 1741082400 + 60 * i;
        d = t_detection("UnauthorizedAccess:EC2/SSHBruteForce", &e.flow);
        d.time_ms = T_EVTIME + 60000 * (i + 1);
        d.first_ms = d.time_ms;
        d.count = 3;
        ctx.now_ms = T_NOW + i;
        assert_int_equal(cm_agg_add(a, &ctx, &d, &f, &is_new), 0);
        assert_true(is_new == (i == 0));
        if (i == 0) {
            memcpy(first_id, f->id, sizeof(first_id));
        }
    }
    assert_int_equal(cm_agg_stats(a)->findings, 1);
    assert_int_equal(cm_agg_stats(a)->repeats, 4);
    f = cm_agg_at(a, 0);
    assert_string_equal(f->id, first_id);
    assert_int_equal(f->count, 15);
    assert_true(f->first_seen_ms == T_EVTIME + 60000);
    assert_true(f->last_seen_ms == T_EVTIME + 5 * 60000);
    assert_true(f->created_ms == T_NOW);
    assert_true(f->updated_ms == T_NOW + 4);
    /* Evidence: every record kept (5 <= the cap), earliest first. */
    assert_int_equal(f->nevidence, 5);
    assert_int_equal(f->evidence[0].ref.offset, 0);
    assert_int_equal(f->evidence[4].ref.offset, 4000);
    assert_non_null(f->evidence[0].file.p);
    assert_null(cm_agg_at(a, 1));
    cm_agg_destroy(a);
    t_events_finish(&e);
}

/* A repeat never lowers the severity: the finding is as severe as its worst event. */
static void test_severity_keeps_the_worst(void **state)
{
    static const double sev[] = {2.0, 8.0, 2.0, 5.0};
    struct t_events e;
    struct cm_finding_ctx ctx = t_ctx();
    struct cm_agg *a;
    struct cm_finding *f = NULL;
    (void)state;

    t_events_init(&e);
    assert_int_equal(cm_agg_create(&a, 0, 7), 0);
    for (int i = 0; i < 4; i++) {
        struct cm_detection d;
        e.flow.src.offset = 1000u * (unsigned)i;
        e.flow.u.flow.start = 1741082400 + 60 * i;
        d = t_detection("UnauthorizedAccess:EC2/SSHBruteForce", &e.flow);
        d.time_ms = T_EVTIME + 60000 * (i + 1);
        d.first_ms = d.time_ms;
        d.severity = sev[i];
        assert_int_equal(cm_agg_add(a, &ctx, &d, &f, NULL), 0);
        assert_true(f->severity == (i == 0 ? 2.0 : 8.0));
    }
    assert_int_equal(cm_agg_stats(a)->findings, 1);
    cm_agg_destroy(a);
    t_events_finish(&e);
}

static void test_identities_apart_and_evidence_cap(void **state)
{
    struct t_events e;
    struct cm_finding_ctx ctx = t_ctx();
    struct cm_agg *a;
    struct cm_finding *f;
    (void)state;

    t_events_init(&e);
    assert_int_equal(cm_agg_create(&a, 0, 7), 0);
    for (int i = 0; i < 20; i++) {
        struct cm_detection d;
        e.flow.src.offset = 100u * (unsigned)i;
        e.flow.u.flow.dstport = 8000 + i; /* a new probed port each time */
        d = t_detection("Recon:EC2/PortProbeUnprotectedPort", &e.flow);
        d.time_ms = T_EVTIME + 1000 * i;
        d.count = 1;
        assert_int_equal(cm_agg_add(a, &ctx, &d, NULL, NULL), 0);
    }
    /* Another instance is another finding. */
    {
        struct cm_detection d = t_detection("Recon:EC2/PortProbeUnprotectedPort", &e.flow);
        e.flow.u.flow.instance_id = CM_STR_LIT("i-0fffffffffffffff0");
        assert_int_equal(cm_agg_add(a, &ctx, &d, NULL, NULL), 0);
    }
    assert_int_equal(cm_agg_stats(a)->findings, 2);
    f = cm_agg_at(a, 0);
    assert_int_equal(f->count, 20);
    /* Probes accumulate; evidence keeps the earliest and, last, the newest record. */
    assert_true(f->probe.nprobes >= 2);
    assert_int_equal(f->nevidence, CM_FINDING_MAX_EVIDENCE);
    assert_int_equal(f->evidence[0].ref.offset, 0);
    assert_int_equal(f->evidence[CM_FINDING_MAX_EVIDENCE - 1].ref.offset, 1900);
    assert_string_not_equal(cm_agg_at(a, 0)->id, cm_agg_at(a, 1)->id);
    cm_agg_destroy(a);
    t_events_finish(&e);
}

/* The same record delivered twice (an organisation trail beside the account's) counts once. */
static void test_duplicate_events_count_once(void **state)
{
    struct t_events e;
    struct cm_finding_ctx ctx = t_ctx();
    struct cm_agg *a;
    struct cm_finding *f = NULL;
    const struct cm_finding_event *ev;
    size_t nev = 0;
    bool is_new = true;
    (void)state;

    t_events_init(&e);
    assert_int_equal(cm_agg_create(&a, 0, 7), 0);
    for (int i = 0; i < 3; i++) {
        struct cm_detection d = t_detection("Policy:IAMUser/RootCredentialUsage", &e.ct);
        d.count = 1;
        e.ct.src.offset = 5000u * (unsigned)i; /* another file or place, same record */
        e.ct.u.ct.event_id = CM_STR_LIT("3038ebd2-c98a-4c65-9b6e-e22506292313");
        assert_int_equal(cm_agg_add(a, &ctx, &d, &f, &is_new), 0);
        assert_true(is_new == (i == 0));
    }
    assert_int_equal(cm_agg_stats(a)->findings, 1);
    assert_int_equal(cm_agg_stats(a)->duplicates, 2);
    assert_int_equal(cm_agg_stats(a)->repeats, 0);
    assert_int_equal(cm_agg_at(a, 0)->count, 1);
    ev = cm_agg_events(a, 0, &nev);
    assert_int_equal(nev, 1);
    assert_true(ev[0].key == cm_event_key(&e.ct));
    /* Another eventID is another event. */
    {
        struct cm_detection d = t_detection("Policy:IAMUser/RootCredentialUsage", &e.ct);
        d.count = 1;
        e.ct.u.ct.event_id = CM_STR_LIT("6b0b2a3c-0d9e-4c1b-8f3e-1b2f4a5c6d7e");
        assert_int_equal(cm_agg_add(a, &ctx, &d, NULL, NULL), 0);
    }
    assert_int_equal(cm_agg_at(a, 0)->count, 2);
    assert_int_equal(cm_agg_stats(a)->repeats, 1);
    (void)cm_agg_events(a, 0, &nev);
    assert_int_equal(nev, 2);
    assert_null(cm_agg_events(a, 5, &nev));
    assert_int_equal(nev, 0);
    cm_agg_destroy(a);
    t_events_finish(&e);
}

/*
 * A port probe finding of the flow event on dstport port, count count,
 * with evidence records at offsets[0..n) of the event's file.
 */
static void probe_finding(struct cm_finding *f, struct t_events *e, int port, uint32_t count,
                          const uint64_t *offsets, uint32_t n)
{
    struct cm_finding_ctx ctx = t_ctx();
    struct cm_detection d;

    e->flow.u.flow.dstport = (uint16_t)port;
    d = t_detection("Recon:EC2/PortProbeUnprotectedPort", &e->flow);
    d.count = count;
    d.nevidence = n;
    for (uint32_t i = 0; i < n; i++) {
        d.evidence[i] = e->flow.src;
        d.evidence[i].offset = offsets[i];
        d.evidence[i].line = 1 + (uint32_t)i;
    }
    cm_finding_init(f);
    assert_int_equal(cm_finding_from_detection(f, &ctx, &d), 0);
}

/*
 * A re-scan over files partly scanned before (a subset, then the whole):
 * the merged finding lists each evidence record once, old's first, then the
 * new ones, while the counts add up. The same offset in another file is
 * another record.
 */
static void test_merge_overlapping_evidence(void **state)
{
    static const uint64_t first[2] = {0, 100}, all[3] = {0, 100, 200};
    struct t_events e;
    struct cm_finding old, nf;
    (void)state;

    t_events_init(&e);
    probe_finding(&old, &e, 22, 2, first, 2);
    probe_finding(&nf, &e, 22, 3, all, 3);
    assert_string_equal(old.id, nf.id);
    assert_int_equal(cm_finding_merge(&nf, &old), 0);
    assert_int_equal(nf.count, 5);
    assert_int_equal(nf.nevidence, 3);
    for (uint32_t i = 0; i < 3; i++) {
        assert_int_equal(nf.evidence[i].ref.offset, all[i]);
        assert_true(cm_str_eqc(nf.evidence[i].file, "flows.log.gz"));
    }
    cm_finding_finish(&nf);

    probe_finding(&nf, &e, 22, 1, first, 1);
    nf.evidence[0].file = CM_STR_LIT("other.log.gz");
    assert_int_equal(cm_finding_merge(&nf, &old), 0);
    assert_int_equal(nf.nevidence, 3);
    assert_true(cm_str_eqc(nf.evidence[2].file, "other.log.gz"));
    assert_int_equal(nf.evidence[2].ref.offset, 0);
    cm_finding_finish(&nf);
    cm_finding_finish(&old);

    /* A full old list: the last slot takes the newest record old lacks, even when the
     * detection's last record is one old lists (an attack sequence cites its signals). */
    {
        static const uint64_t full[8] = {0, 100, 200, 300, 400, 500, 600, 700};
        static const uint64_t fresh[3] = {800, 900, 300};

        probe_finding(&old, &e, 22, 8, full, 8);
        probe_finding(&nf, &e, 22, 3, fresh, 3);
        assert_int_equal(cm_finding_merge(&nf, &old), 0);
        assert_int_equal(nf.nevidence, CM_FINDING_MAX_EVIDENCE);
        assert_int_equal(nf.evidence[CM_FINDING_MAX_EVIDENCE - 1].ref.offset, 900);
        for (uint32_t i = 0; i + 1 < CM_FINDING_MAX_EVIDENCE; i++) {
            assert_int_equal(nf.evidence[i].ref.offset, full[i]);
        }
        cm_finding_finish(&nf);
        cm_finding_finish(&old);
    }
    t_events_finish(&e);
}

/*
 * The same re-scan for port probes: a probe old lists already (same local
 * port and address, same remote address) is kept once; a new port, or the
 * same port probed from another address, is another probe.
 */
static void test_merge_overlapping_probes(void **state)
{
    static const uint64_t first[1] = {0};
    struct t_events e;
    struct cm_finding old, nf;
    struct cm_probe p;
    (void)state;

    t_events_init(&e);
    probe_finding(&old, &e, 22, 2, first, 1);
    probe_finding(&nf, &e, 22, 3, first, 1);
    assert_int_equal(old.probe.nprobes, 1);
    assert_int_equal(nf.probe.nprobes, 1);
    /* The whole scan also saw a probe of port 23. */
    p = nf.probe.probes[0];
    p.local_port.port = 23;
    assert_int_equal(cm_finding_add_probe(&nf, &p), 0);
    assert_int_equal(cm_finding_merge(&nf, &old), 0);
    assert_int_equal(nf.count, 5);
    assert_int_equal(nf.probe.nprobes, 2);
    assert_int_equal(nf.probe.probes[0].local_port.port, 22);
    assert_int_equal(nf.probe.probes[1].local_port.port, 23);
    cm_finding_finish(&nf);

    /* Port 22 again, but probed from another address. */
    t_ip(&e.flow.u.flow.src, "203.0.113.9");
    probe_finding(&nf, &e, 22, 1, first, 1);
    assert_string_equal(old.id, nf.id);
    assert_int_equal(cm_finding_merge(&nf, &old), 0);
    assert_int_equal(nf.probe.nprobes, 2);
    assert_true(cm_str_eqc(nf.probe.probes[0].remote_ip.ipv4, "203.0.113.9"));
    assert_true(cm_str_eqc(nf.probe.probes[1].remote_ip.ipv4, "198.51.100.7"));
    cm_finding_finish(&nf);
    cm_finding_finish(&old);
    t_events_finish(&e);
}

static void test_cap(void **state)
{
    struct t_events e;
    struct cm_finding_ctx ctx = t_ctx();
    struct cm_agg *a;
    struct cm_detection d;
    (void)state;

    t_events_init(&e);
    assert_int_equal(cm_agg_create(&a, 1, 7), 0);
    d = t_detection("UnauthorizedAccess:EC2/SSHBruteForce", &e.flow);
    d.count = 1;
    assert_int_equal(cm_agg_add(a, &ctx, &d, NULL, NULL), 0);
    e.flow.u.flow.instance_id = CM_STR_LIT("i-0fffffffffffffff0");
    d = t_detection("UnauthorizedAccess:EC2/SSHBruteForce", &e.flow);
    assert_int_equal(cm_agg_add(a, &ctx, &d, NULL, NULL), CM_EFULL);
    assert_int_equal(cm_agg_stats(a)->dropped, 1);
    /* Repeats of the known identity still aggregate. */
    e.flow.u.flow.instance_id = CM_STR_LIT("i-0a1b2c3d4e5f60718");
    e.flow.u.flow.start = 1741082460; /* another record */
    d = t_detection("UnauthorizedAccess:EC2/SSHBruteForce", &e.flow);
    d.count = 1;
    assert_int_equal(cm_agg_add(a, &ctx, &d, NULL, NULL), 0);
    assert_int_equal(cm_agg_at(a, 0)->count, 2);
    /* A detection that cannot become a finding is refused and leaves nothing. */
    d = t_detection("UnauthorizedAccess:EC2/SSHBruteForce", &e.flow);
    d.account = CM_STR_NULL;
    e.flow.account = CM_STR_NULL;
    assert_int_equal(cm_agg_add(a, &ctx, &d, NULL, NULL), CM_EINVAL);
    assert_int_equal(cm_agg_stats(a)->findings, 1);
    cm_agg_destroy(a);
    cm_agg_destroy(NULL);
    t_events_finish(&e);
}

/*
 * cm_agg_order: by first sighting, then type, then id, whatever order the
 * detections came in (several shards deliver them in varying order).
 */
static void test_order(void **state)
{
    static const char *const types[] = {"UnauthorizedAccess:EC2/SSHBruteForce",
                                        "Recon:EC2/PortProbeUnprotectedPort",
                                        "Backdoor:EC2/DenialOfService.Tcp"};
    static const int64_t when[] = {3, 1, 1}; /* minutes after T_EVTIME */
    struct t_events e;
    struct cm_finding_ctx ctx = t_ctx();
    size_t idx[4] = {9, 9, 9, 9};
    (void)state;

    t_events_init(&e);
    for (int run = 0; run < 2; run++) {
        struct cm_agg *a;

        assert_int_equal(cm_agg_create(&a, 0, 7), 0);
        for (int k = 0; k < 3; k++) {
            int i = run == 0 ? k : 2 - k; /* the other run adds them backwards */
            struct cm_detection d = t_detection(types[i], &e.flow);

            d.time_ms = T_EVTIME + 60000 * when[i];
            d.first_ms = d.time_ms;
            d.count = 1;
            assert_int_equal(cm_agg_add(a, &ctx, &d, NULL, NULL), 0);
        }
        /* A later sighting of the first type does not move it: first seen stays. */
        {
            struct cm_detection d = t_detection(types[0], &e.flow);

            e.flow.src.offset = 777;
            d.time_ms = T_EVTIME + 60000 * 9;
            d.first_ms = d.time_ms;
            d.count = 1;
            assert_int_equal(cm_agg_add(a, &ctx, &d, NULL, NULL), 0);
            e.flow.src.offset = 0;
        }
        assert_int_equal(cm_agg_stats(a)->findings, 3);
        assert_int_equal(cm_agg_order(a, idx), 0);
        /* Minute 1: Backdoor before Recon (type order); minute 3: the SSH finding. */
        assert_true(cm_str_eq(cm_agg_at(a, idx[0])->type, cm_str_cstr(types[2])));
        assert_true(cm_str_eq(cm_agg_at(a, idx[1])->type, cm_str_cstr(types[1])));
        assert_true(cm_str_eq(cm_agg_at(a, idx[2])->type, cm_str_cstr(types[0])));
        assert_int_equal(idx[3], 9); /* nothing written past n */
        cm_agg_destroy(a);
    }
    t_events_finish(&e);
}

/* Whether s holds the text t. */
static const char *holds(struct cm_str s, const char *t)
{
    size_t n = strlen(t);

    for (size_t i = 0; s.p != NULL && i + n <= s.len; i++) {
        if (memcmp(s.p + i, t, n) == 0) {
            return s.p + i;
        }
    }
    return NULL;
}

/*
 * A correlator's restatement (cm_detection.restate, attack sequences): of a record the
 * finding counted, it brings the finding's details up to date and counts nothing; of a
 * record not counted, it is folded in as any detection. A plain repeat changes nothing.
 */
static void test_restate(void **state)
{
    struct t_events e;
    struct cm_finding_ctx ctx = t_ctx();
    struct cm_agg *a;
    struct cm_finding *f = NULL;
    struct cm_detection d;
    (void)state;

    t_events_init(&e);
    assert_int_equal(cm_agg_create(&a, 0, 7), 0);
    d = t_detection("AttackSequence:IAM/CompromisedCredentials", &e.ct);
    d.resource_type = CM_RES_ACCESS_KEY;
    d.resource_id = CM_STR_LIT("AKIAIOSFODNN7EXAMPLE");
    d.count = 4;
    d.info = CM_STR_LIT("{\"n\":1}");
    assert_int_equal(cm_agg_add(a, &ctx, &d, &f, NULL), 0);
    assert_int_equal(f->count, 4);
    d.count = 1;
    d.restate = true;
    d.info = CM_STR_LIT("{\"n\":2}");
    d.time_ms += 60000;
    assert_int_equal(cm_agg_add(a, &ctx, &d, &f, NULL), 0);
    assert_int_equal(cm_agg_stats(a)->findings, 1);
    assert_int_equal(cm_agg_stats(a)->duplicates, 1);
    assert_int_equal(f->count, 4);
    assert_non_null(holds(f->additional_info, "\"n\":2"));
    assert_true(f->last_seen_ms == d.time_ms);
    d.restate = false; /* a plain repeat of the record: nothing */
    d.info = CM_STR_LIT("{\"n\":3}");
    assert_int_equal(cm_agg_add(a, &ctx, &d, &f, NULL), 0);
    assert_int_equal(f->count, 4);
    assert_non_null(holds(f->additional_info, "\"n\":2"));
    e.ct.u.ct.event_id = CM_STR_LIT("another-record");
    d.restate = true; /* a record not counted: counted */
    d.info = CM_STR_LIT("{\"n\":4}");
    assert_int_equal(cm_agg_add(a, &ctx, &d, &f, NULL), 0);
    assert_int_equal(f->count, 5);
    assert_non_null(holds(f->additional_info, "\"n\":4"));
    cm_agg_destroy(a);
    t_events_finish(&e);
}

/*
 * A later detection's additionalInfo is the finding's; one that has none (a tail's report
 * of the records after a detection) keeps what the finding said. Before 2026-12-08 a
 * TrafficVolumeUnusual lost its outBytes to its hour's tail.
 */
static void test_info_kept_by_a_report_without(void **state)
{
    struct t_events e;
    struct cm_finding_ctx ctx = t_ctx();
    struct cm_agg *a;
    struct cm_finding *f = NULL;
    struct cm_detection d;
    (void)state;

    t_events_init(&e);
    assert_int_equal(cm_agg_create(&a, 0, 7), 0);
    d = t_detection("Behavior:EC2/TrafficVolumeUnusual", &e.flow);
    d.count = 1;
    d.info = CM_STR_LIT("{\"outBytes\":3221225472}");
    assert_int_equal(cm_agg_add(a, &ctx, &d, &f, NULL), 0);
    e.flow.src.offset = 5000; /* the tail: another record, no info */
    e.flow.u.flow.start = 1741082460;
    d.info = CM_STR_NULL;
    d.time_ms += 60000;
    assert_int_equal(cm_agg_add(a, &ctx, &d, &f, NULL), 0);
    assert_int_equal(cm_agg_stats(a)->findings, 1);
    assert_int_equal(f->count, 2);
    assert_non_null(holds(f->additional_info, "\"outBytes\":3221225472"));
    e.flow.src.offset = 6000; /* the next hour's detection: its own measure */
    e.flow.u.flow.start = 1741086000;
    d.info = CM_STR_LIT("{\"outBytes\":4294967296}");
    d.time_ms += 60000;
    assert_int_equal(cm_agg_add(a, &ctx, &d, &f, NULL), 0);
    assert_non_null(holds(f->additional_info, "\"outBytes\":4294967296"));
    cm_agg_destroy(a);
    t_events_finish(&e);
}

/*
 * AttackSequence:S3/CompromisedData is one finding per credential, placed on the bucket
 * of its newest S3 signal: a key that takes data from a second bucket moves the finding
 * there, with the records of both counted. Before 2026-12-05 the bucket was part of the
 * finding's identity, so the move made a second sequence finding, the count split
 * between them (3 and 1 of a key's 4 records) by which detection came first. Other S3
 * types stay one finding per bucket.
 */
static void test_s3_sequence_one_per_key(void **state)
{
    static const char *const types[2] = {"AttackSequence:S3/CompromisedData",
                                         "Exfiltration:S3/MaliciousIPCaller"};
    struct t_events e;
    struct cm_finding_ctx ctx = t_ctx();
    (void)state;

    t_events_init(&e);
    for (int t = 0; t < 2; t++) {
        struct cm_agg *a;
        struct cm_finding *f = NULL, *first = NULL;
        struct cm_detection d = t_detection(types[t], &e.ct);
        struct cm_str ev0 = e.ct.u.ct.event_id, key0 = e.ct.u.ct.uid.access_key_id;
        char id[CM_FINDING_ID_LEN + 1];
        bool seq = t == 0;

        assert_int_equal(cm_agg_create(&a, 0, 7), 0);
        d.resource_type = CM_RES_S3_BUCKET;
        d.resource_id = CM_STR_LIT("acme-finance-records");
        d.actor = key0;
        d.restate = seq;
        assert_int_equal(cm_agg_add(a, &ctx, &d, &first, NULL), 0);
        memcpy(id, first->id, sizeof(id));
        /* The same key, another record, another bucket. */
        e.ct.u.ct.event_id = CM_STR_LIT("a-later-record");
        d = t_detection(types[t], &e.ct);
        d.resource_type = CM_RES_S3_BUCKET;
        d.resource_id = CM_STR_LIT("acme-hr-documents");
        d.actor = key0;
        d.restate = seq;
        d.count = 1;
        d.time_ms += 60000;
        assert_int_equal(cm_agg_add(a, &ctx, &d, &f, NULL), 0);
        assert_int_equal(cm_agg_stats(a)->findings, seq ? 1 : 2);
        if (seq) {
            assert_string_equal(f->id, id);
            assert_int_equal(f->count, 4);
            assert_int_equal(f->nbuckets, 1);
            assert_true(cm_str_eqc(f->buckets[0].name, "acme-hr-documents"));
        } else {
            assert_string_not_equal(f->id, id);
        }
        /* Another key on the same bucket is another finding. */
        e.ct.u.ct.event_id = CM_STR_LIT("a-third-record");
        e.ct.u.ct.uid.access_key_id = CM_STR_LIT("AKIAI44QH8DHBEXAMPLE");
        d.actor = e.ct.u.ct.uid.access_key_id;
        assert_int_equal(cm_agg_add(a, &ctx, &d, &f, NULL), 0);
        assert_int_equal(cm_agg_stats(a)->findings, seq ? 2 : 3);
        e.ct.u.ct.event_id = ev0;
        e.ct.u.ct.uid.access_key_id = key0;
        cm_agg_destroy(a);
    }
    t_events_finish(&e);
}

/* An attack sequence detection whose signals name member, an unknown id and two no ids. */
static void add_sequence(struct cm_agg *a, const struct cm_finding_ctx *ctx, struct t_events *e,
                         const char *type, const char *member, struct cm_finding **out)
{
    char info[512];
    struct cm_detection d = t_detection(type, &e->ct);

    snprintf(info, sizeof(info),
             "{\"sequence\":{\"uid\":\"x\",\"signals\":[{\"uid\":\"%s\",\"name\":\"a\"},"
             "{\"uid\":\"0123456789abcdef0123456789abcdef\"},{\"uid\":\"NOT-AN-ID\"},"
             "{\"name\":\"no uid\"}]}}",
             member);
    if (strstr(type, "S3/") != NULL) {
        d.resource_type = CM_RES_S3_BUCKET;
        d.resource_id = CM_STR_LIT("example-data-bucket");
    } else {
        d.resource_type = CM_RES_ACCESS_KEY;
        d.resource_id = CM_STR_LIT("AKIAIOSFODNN7EXAMPLE");
    }
    d.info = cm_str_make(info, strlen(info));
    assert_int_equal(cm_agg_add(a, ctx, &d, out, NULL), 0);
}

/*
 * associatedAttackSequenceArn: a finding an attack sequence's signals name gets the
 * sequence's ARN; of two sequences naming it, the lower ARN, whichever came first;
 * a sequence, ids the aggregator does not hold and uids that are no ids change nothing.
 * A repeat of the member keeps its mark (cm_finding_merge). Before 2026-12-05 no
 * finding said which sequence it belonged to.
 */
static void test_link_sequences(void **state)
{
    static const char *const types[2] = {"AttackSequence:IAM/CompromisedCredentials",
                                         "AttackSequence:S3/CompromisedData"};
    struct t_events e;
    struct cm_finding_ctx ctx = t_ctx();
    char arn[2][256], member[CM_FINDING_ID_LEN + 1];
    (void)state;

    t_events_init(&e);
    for (int order = 0; order < 2; order++) {
        struct cm_agg *a;
        struct cm_finding *m = NULL, *q[2] = {NULL, NULL};
        struct cm_detection d = t_detection("PenTest:IAMUser/KaliLinux", &e.ct);
        const char *lower;
        struct cm_str ev0 = e.ct.u.ct.event_id;

        assert_int_equal(cm_agg_create(&a, 0, 7), 0);
        assert_int_equal(cm_agg_add(a, &ctx, &d, &m, NULL), 0);
        memcpy(member, m->id, sizeof(member));
        for (int k = 0; k < 2; k++) {
            int i = order ? 1 - k : k;
            add_sequence(a, &ctx, &e, types[i], member, &q[i]);
            snprintf(arn[i], sizeof(arn[i]), "%.*s", (int)q[i]->arn.len, q[i]->arn.p);
        }
        assert_string_not_equal(arn[0], arn[1]);
        lower = strcmp(arn[0], arn[1]) < 0 ? arn[0] : arn[1];
        assert_int_equal(cm_agg_link_sequences(a), 0);
        for (size_t i = 0; i < cm_agg_stats(a)->findings; i++) {
            struct cm_finding *f = cm_agg_at(a, i);
            if (strcmp(f->id, member) == 0) {
                assert_true(cm_str_eqc(f->sequence_arn, lower));
            } else {
                assert_null(f->sequence_arn.p); /* a sequence is no member of itself */
            }
        }
        /* A repeat of the member (new activity, built without the mark) keeps it. */
        e.ct.u.ct.event_id = CM_STR_LIT("a-later-record");
        d = t_detection("PenTest:IAMUser/KaliLinux", &e.ct);
        d.time_ms += 60000;
        assert_int_equal(cm_agg_add(a, &ctx, &d, &m, NULL), 0);
        assert_int_equal(m->count, 6); /* 3 + 3: a repeat, not the same record */
        assert_true(cm_str_eqc(m->sequence_arn, lower));
        e.ct.u.ct.event_id = ev0;
        cm_agg_destroy(a);
    }
    t_events_finish(&e);
}

/* A restated statement of the key's IAM sequence whose signals name the findings ids. */
static void state_sequence(struct cm_agg *a, const struct cm_finding_ctx *ctx, struct t_events *e,
                           const char *ids, struct cm_finding **out)
{
    char info[512];
    struct cm_detection d = t_detection("AttackSequence:IAM/CompromisedCredentials", &e->ct);

    snprintf(info, sizeof(info), "{\"sequence\":{\"uid\":\"x\",\"signals\":[%s]}}", ids);
    d.resource_type = CM_RES_ACCESS_KEY;
    d.resource_id = CM_STR_LIT("AKIAIOSFODNN7EXAMPLE");
    d.info = cm_str_make(info, strlen(info));
    d.restate = true;
    assert_int_equal(cm_agg_add(a, ctx, &d, out, NULL), 0);
}

/*
 * A sequence lists its newest signals; one pushed out by newer ones stays a member
 * (cm_finding.past_members): one scan marks every finding any statement of the
 * sequence listed, as a follow's polls or hourly scans, which store each statement,
 * do. Before 2026-12-06 one scan marked only the last statement's signals (21 findings
 * of the seed-7 world's stolen key were left unmarked that a follow marked).
 */
static void test_sequence_past_members(void **state)
{
    struct t_events e;
    struct cm_finding_ctx ctx = t_ctx();
    struct cm_agg *a;
    struct cm_finding *m = NULL, *q = NULL;
    char id[2][CM_FINDING_ID_LEN + 1], one[64], both[128], arn[256];
    static const char *const types[2] = {"PenTest:IAMUser/KaliLinux", "Recon:IAMUser/TorIPCaller"};
    (void)state;

    t_events_init(&e);
    assert_int_equal(cm_agg_create(&a, 0, 7), 0);
    for (int i = 0; i < 2; i++) {
        struct cm_detection d = t_detection(types[i], &e.ct);
        assert_int_equal(cm_agg_add(a, &ctx, &d, &m, NULL), 0);
        memcpy(id[i], m->id, sizeof(id[i]));
    }
    snprintf(one, sizeof(one), "{\"uid\":\"%s\"}", id[0]);
    state_sequence(a, &ctx, &e, one, &q);
    snprintf(one, sizeof(one), "{\"uid\":\"%s\"}", id[1]);
    state_sequence(a, &ctx, &e, one, &q); /* the first pushed out */
    assert_int_equal(q->past_members.len, CM_FINDING_ID_LEN);
    assert_memory_equal(q->past_members.p, id[0], CM_FINDING_ID_LEN);
    snprintf(arn, sizeof(arn), "%.*s", (int)q->arn.len, q->arn.p);
    assert_int_equal(cm_agg_link_sequences(a), 0);
    for (size_t i = 0; i < cm_agg_stats(a)->findings; i++) {
        struct cm_finding *f = cm_agg_at(a, i);
        if (f != q) {
            assert_true(cm_str_eqc(f->sequence_arn, arn));
        }
    }
    /* Listed again: no longer a past member; the one it pushed out is. */
    snprintf(both, sizeof(both), "{\"uid\":\"%s\"}", id[0]);
    state_sequence(a, &ctx, &e, both, &q);
    assert_int_equal(q->past_members.len, CM_FINDING_ID_LEN);
    assert_memory_equal(q->past_members.p, id[1], CM_FINDING_ID_LEN);
    /* Both listed: none past. */
    snprintf(both, sizeof(both), "{\"uid\":\"%s\"},{\"uid\":\"%s\"}", id[1], id[0]);
    state_sequence(a, &ctx, &e, both, &q);
    assert_null(q->past_members.p);
    assert_int_equal(cm_agg_stats(a)->findings, 3);
    cm_agg_destroy(a);
    t_events_finish(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_repeats_fold),
        cmocka_unit_test(test_severity_keeps_the_worst),
        cmocka_unit_test(test_identities_apart_and_evidence_cap),
        cmocka_unit_test(test_duplicate_events_count_once),
        cmocka_unit_test(test_merge_overlapping_evidence),
        cmocka_unit_test(test_merge_overlapping_probes),
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_restate),
        cmocka_unit_test(test_info_kept_by_a_report_without),
        cmocka_unit_test(test_link_sequences),
        cmocka_unit_test(test_sequence_past_members),
        cmocka_unit_test(test_s3_sequence_one_per_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
