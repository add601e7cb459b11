/*
 * Publishing destinations in the store (store_pubdest.c) and the export pass
 * (pubdest_export.c) against a fake S3 on 127.0.0.1 (a thread of this test that
 * answers each request with the status it is told and keeps what it got):
 * one destination per detector and the clientToken's retry; what is owed (new
 * findings at once, updates only once their publishing interval has ended,
 * archived findings never, findings stored before the destination never); a
 * failed PUT leaves the findings owed and the destination UNABLE with the
 * failure's start kept across failures and a doubling backoff; the next
 * success writes them all (each once), clears the failure and moves the seq;
 * the object's key, gzip JSON Lines content and SSE-KMS headers; a disabled
 * detector stops the destination; an ARN changed while an export ran is not
 * overwritten by its outcome.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../store_util.h"
#include "../../lib/finding/finding_util.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <libdeflate.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/clock.h"
#include "pubdest/pubdest_export.h"
#include "pubdest/pubdest_metrics.h"
#include "store/store_pubdest.h"

#define DET  "c0a1c0a1c0a1c0a1c0a1c0a1c0a1c0a1"
#define ACCT "123456789012"
#define KMS  "arn:aws:kms:us-east-1:123456789012:key/k1"
#define ARN  "arn:aws:s3:::gd-export/pre/"

static const char *const types[3] = {
    "UnauthorizedAccess:EC2/SSHBruteForce",
    "Policy:S3/BucketBlockPublicAccessDisabled",
    "Recon:EC2/PortProbeUnprotectedPort",
};

/* ---- the fake S3 ---- */

struct fake {
    int fd, port;
    pthread_t th;
    pthread_mutex_t mu;
    int status; /* the answer to the next requests */
    int requests, puts;
    char last_line[2048]; /* "PUT /gd-export/... HTTP/1.1" */
    char last_headers[8192];
    unsigned char *body;
    size_t body_len;
    bool stop;
};

static struct fake s3;

static void *serve(void *arg)
{
    struct fake *f = arg;

    for (;;) {
        int c = accept(f->fd, NULL, NULL);
        char buf[65536], *hend;
        size_t got = 0, clen = 0, need;
        ssize_t r;

        if (c < 0) {
            return NULL;
        }
        pthread_mutex_lock(&f->mu);
        if (f->stop) {
            pthread_mutex_unlock(&f->mu);
            close(c);
            return NULL;
        }
        pthread_mutex_unlock(&f->mu);
        /* One request per connection: the answer says Connection: close. */
        buf[0] = '\0';
        while ((hend = strstr(buf, "\r\n\r\n")) == NULL && got < sizeof(buf) - 1 &&
               (r = read(c, buf + got, sizeof(buf) - 1 - got)) > 0) {
            got += (size_t)r;
            buf[got] = '\0';
        }
        if (hend == NULL) {
            close(c);
            continue;
        }
        *hend = '\0';
        {
            const char *cl = strstr(buf, "\r\nContent-Length:");
            if (cl != NULL) {
                clen = strtoul(cl + 17, NULL, 10);
            }
        }
        need = (size_t)(hend + 4 - buf) + clen;
        unsigned char *body = malloc(clen + 1);
        size_t have = got - (size_t)(hend + 4 - buf);
        memcpy(body, hend + 4, have < clen ? have : clen);
        while (have < clen && (r = read(c, body + have, clen - have)) > 0) {
            have += (size_t)r;
        }
        (void)need;
        pthread_mutex_lock(&f->mu);
        f->requests++;
        {
            char *eol = strstr(buf, "\r\n");
            snprintf(f->last_line, sizeof(f->last_line), "%.*s", (int)(eol - buf), buf);
            snprintf(f->last_headers, sizeof(f->last_headers), "%s", eol + 2);
        }
        if (strncmp(buf, "PUT ", 4) == 0 && f->status == 200) {
            f->puts++;
            free(f->body);
            f->body = body;
            f->body_len = clen;
            body = NULL;
        }
        int status = f->status;
        pthread_mutex_unlock(&f->mu);
        free(body);
        {
            char resp[512];
            const char *err = "<Error><Code>NoSuchBucket</Code><Message>The specified bucket "
                              "does not exist</Message></Error>";
            int n = status == 200
                        ? snprintf(resp, sizeof(resp),
                                   "HTTP/1.1 200 OK\r\nETag: \"e\"\r\nContent-Length: 0\r\n"
                                   "Connection: close\r\n\r\n")
                        : snprintf(resp, sizeof(resp),
                                   "HTTP/1.1 %d Not Found\r\nContent-Type: application/xml\r\n"
                                   "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                                   status, strlen(err), err);
            if (write(c, resp, (size_t)n) < 0) {
                /* the client went away */
            }
        }
        close(c);
    }
}

static void fake_start(void)
{
    struct sockaddr_in a = {0};
    socklen_t alen = sizeof(a);
    int one = 1;

    memset(&s3, 0, sizeof(s3));
    pthread_mutex_init(&s3.mu, NULL);
    s3.status = 200;
    s3.fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s3.fd >= 0);
    setsockopt(s3.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s3.fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(s3.fd, 16), 0);
    assert_int_equal(getsockname(s3.fd, (struct sockaddr *)&a, &alen), 0);
    s3.port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(&s3.th, NULL, serve, &s3), 0);
}

static void fake_stop(void)
{
    struct sockaddr_in a = {0};
    int c = socket(AF_INET, SOCK_STREAM, 0);

    pthread_mutex_lock(&s3.mu);
    s3.stop = true;
    pthread_mutex_unlock(&s3.mu);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)s3.port);
    (void)connect(c, (struct sockaddr *)&a, sizeof(a)); /* wakes accept */
    close(c);
    pthread_join(s3.th, NULL);
    close(s3.fd);
    free(s3.body);
    pthread_mutex_destroy(&s3.mu);
}

static void answer(int status)
{
    pthread_mutex_lock(&s3.mu);
    s3.status = status;
    pthread_mutex_unlock(&s3.mu);
}

/* ---- store helpers ---- */

static void finding(struct cm_finding *f, const struct t_events *e, const char *t)
{
    struct cm_finding_ctx ctx = t_ctx();
    struct cm_detection d = t_detection(t, t_event_for(e, t));

    ctx.now_ms = T_NOW;
    cm_finding_init(f);
    assert_int_equal(cm_finding_from_detection(f, &ctx, &d), 0);
}

static struct cm_store_put store1(struct cm_store *st, struct cm_finding *f, uint64_t key)
{
    struct cm_finding_event k = {key, 1};
    struct cm_store_put p;
    char err[256] = "";

    memset(&p, 0, sizeof(p));
    p.f = f;
    p.events = &k;
    p.nevents = 1;
    assert_int_equal(cm_store_put_findings(st, &p, 1, err, sizeof(err)), 0);
    return p;
}

static void detector(struct cm_store *st, bool enabled)
{
    struct cm_store_detector d = {DET, ACCT, "us-east-1", enabled, "{}", "{}", 1, 1, NULL};
    char err[256] = "";

    assert_int_equal(cm_store_detector_create(st, &d, err, sizeof(err)), 0);
}

static void create(struct cm_store *st, const char *id, const char *token, char out[33])
{
    struct cm_store_pubdest d = {0};
    char err[256] = "";

    d.id = id;
    d.detector_id = DET;
    d.type = "S3";
    d.arn = ARN;
    d.kms = KMS;
    d.client_token = token;
    d.created_ms = d.updated_ms = 1000;
    assert_int_equal(cm_store_pubdest_create(st, &d, out, err, sizeof(err)), 0);
}

struct copy {
    char status[64], last_error[512], last_key[1100];
    int64_t failure_ms, seq, next_ms, failures, exported, objects;
};

static int take(void *ud, const struct cm_store_pubdest *d)
{
    struct copy *c = ud;

    snprintf(c->status, sizeof(c->status), "%s", d->status);
    snprintf(c->last_error, sizeof(c->last_error), "%s", d->last_error ? d->last_error : "");
    snprintf(c->last_key, sizeof(c->last_key), "%s", d->last_key ? d->last_key : "");
    c->failure_ms = d->failure_ms;
    c->seq = d->seq;
    c->next_ms = d->next_ms;
    c->failures = d->failures;
    c->exported = d->exported;
    c->objects = d->objects;
    return 0;
}

static struct copy get(struct cm_store *st, const char *id)
{
    struct copy c;

    memset(&c, 0, sizeof(c));
    assert_int_equal(cm_store_pubdest_get(st, DET, id, take, &c), 0);
    return c;
}

static struct cm_pubdest_stats pass(struct cm_store *st, int64_t now, bool force)
{
    char ep[64];
    struct cm_aws_opts aws = {"us-east-1", ep, NULL};
    struct cm_pubdest_opts o = {0};
    struct cm_pubdest_stats s;
    char err[512] = "";

    snprintf(ep, sizeof(ep), "http://127.0.0.1:%d", s3.port);
    o.now_ms = now;
    o.force = force;
    o.aws = &aws;
    o.backoff_num = 0;
    o.backoff_den = 1;
    assert_int_equal(cm_pubdest_export(st, &o, NULL, NULL, &s, err, sizeof(err)), 0);
    return s;
}

/* The ids in the last object written, gunzipped, one per line; *n lines. */
static void object_ids(char ids[][64], size_t *n)
{
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    size_t cap = 1u << 24, len = 0;
    char *out = malloc(cap), *p, *line;

    assert_int_equal(libdeflate_gzip_decompress(d, s3.body, s3.body_len, out, cap - 1, &len),
                     LIBDEFLATE_SUCCESS);
    libdeflate_free_decompressor(d);
    out[len] = '\0';
    *n = 0;
    for (p = out; (line = strsep(&p, "\n")) != NULL;) {
        if (line[0] == '\0') {
            continue;
        }
        char *idp = strstr(line, "\"id\":\"");
        assert_non_null(idp);
        assert_true(line[0] == '{');
        snprintf(ids[*n], 64, "%.32s", idp + 6);
        (*n)++;
    }
    assert_true(p == NULL);
    free(out);
}

/* ---- tests ---- */

static void test_crud(void **state)
{
    struct cm_store *st = s_open();
    struct cm_store_pubdest d = {0};
    char id[33] = "", err[256] = "";
    struct copy c;
    (void)state;

    detector(st, true);
    create(st, "00000000000000000000000000000001", "tok", id);
    assert_string_equal(id, "00000000000000000000000000000001");
    /* The same token: the same destination, nothing new. */
    create(st, "00000000000000000000000000000002", "tok", id);
    assert_string_equal(id, "00000000000000000000000000000001");
    assert_int_equal(cm_store_pubdest_count(st), 1);
    /* Another token, or none: one per detector. */
    d.id = "00000000000000000000000000000003";
    d.detector_id = DET;
    d.type = "S3";
    d.arn = "arn:aws:s3:::other";
    d.kms = KMS;
    assert_int_equal(cm_store_pubdest_create(st, &d, id, err, sizeof(err)), CM_EEXIST);
    assert_non_null(strstr(err, "at most one"));
    c = get(st, "00000000000000000000000000000001");
    assert_string_equal(c.status, CM_PUBDEST_PENDING);
    assert_int_equal(c.failure_ms, 0);
    /* Another detector's view: not found. */
    assert_int_equal(cm_store_pubdest_get(st, "ffffffffffffffffffffffffffffffff",
                                          "00000000000000000000000000000001", take, &c),
                     CM_ENOTFOUND);
    assert_int_equal(cm_store_pubdest_update(st, DET, "00000000000000000000000000000001",
                                             "arn:aws:s3:::b2", NULL, 5000, err, sizeof(err)),
                     0);
    assert_int_equal(s_int("SELECT count(*) FROM publishing_destinations WHERE"
                           " destination_arn = 'arn:aws:s3:::b2' AND kms_key_arn = '" KMS "'",
                           NULL),
                     1);
    assert_int_equal(cm_store_pubdest_update(st, DET, "0000000000000000000000000000000f", NULL,
                                             NULL, 5000, err, sizeof(err)),
                     CM_ENOTFOUND);
    assert_int_equal(cm_store_tags_set(st, "PublishingDestination/00000000000000000000000000000001",
                                       "{\"a\":\"b\"}", err, sizeof(err)),
                     0);
    assert_int_equal(
        cm_store_pubdest_delete(st, DET, "00000000000000000000000000000001", err, sizeof(err)), 0);
    assert_int_equal(s_int("SELECT count(*) FROM api_tags", NULL), 0);
    assert_int_equal(
        cm_store_pubdest_delete(st, DET, "00000000000000000000000000000001", err, sizeof(err)),
        CM_ENOTFOUND);
    assert_int_equal(cm_store_pubdest_count(st), 0);
    cm_store_close(st);
}

static void test_export(void **state)
{
    struct t_events e;
    struct cm_finding f[3];
    struct cm_store *st = s_open();
    struct cm_pubdest_stats s;
    struct copy c;
    char id[33], ids[16][64], err[256] = "";
    size_t n = 0;
    int64_t now = cm_clock_now_ms(), first_fail; /* the held rows are stamped with it */
    const char *did = "00000000000000000000000000000001";
    (void)state;

    fake_start();
    t_events_init(&e);
    for (int i = 0; i < 3; i++) {
        finding(&f[i], &e, types[i]);
    }
    detector(st, true);
    /* Stored before the destination: never owed. No rule: no outbox either. */
    store1(st, &f[2], 1);
    assert_int_equal(s_int("SELECT count(*) FROM outbox", NULL), 0);
    create(st, did, NULL, id);
    /* Nothing owed, the bucket missing: the verification fails. */
    answer(404);
    s = pass(st, now, false);
    assert_int_equal(s.failed, 1);
    c = get(st, did);
    assert_string_equal(c.status, CM_PUBDEST_UNABLE);
    if (strstr(c.last_error, "NoSuchBucket") == NULL) {
        fail_msg("last error: %s", c.last_error);
    }
    assert_int_equal(c.failure_ms, now);
    assert_int_equal(c.next_ms, now + CM_PUBDEST_BACKOFF_MS);
    first_fail = now;
    /* With a destination, a scan's new findings go to the outbox (no rule needed). */
    store1(st, &f[0], 1);
    store1(st, &f[1], 1);
    assert_int_equal(s_int("SELECT count(*) FROM outbox", NULL), 2);
    /* Before the backoff has passed: left alone. */
    s = pass(st, now + 1000, false);
    assert_int_equal(s.waiting, 1);
    assert_int_equal(s3.puts, 0);
    /* After it: the PUT fails, the failure's start is kept, the wait doubles. */
    now += CM_PUBDEST_BACKOFF_MS;
    s = pass(st, now, false);
    assert_int_equal(s.failed, 1);
    c = get(st, did);
    assert_int_equal(c.failure_ms, first_fail);
    assert_int_equal(c.failures, 2);
    assert_int_equal(c.next_ms, now + 2 * CM_PUBDEST_BACKOFF_MS);
    assert_int_equal(c.exported, 0);
    assert_non_null(strstr(c.last_error, "PutObject s3://gd-export/pre/AWSLogs/"));
    /* The bucket is there: forced now, both findings are written once, in one object. */
    answer(200);
    s = pass(st, now, true);
    assert_int_equal(s.failed, 0);
    assert_int_equal(s.objects, 1);
    assert_int_equal(s.findings, 2);
    c = get(st, did);
    assert_string_equal(c.status, CM_PUBDEST_OK);
    assert_int_equal(c.failure_ms, 0);
    assert_int_equal(c.failures, 0);
    assert_int_equal(c.exported, 2);
    object_ids(ids, &n);
    assert_int_equal(n, 2);
    assert_string_equal(ids[0], f[0].id);
    assert_string_equal(ids[1], f[1].id);
    /* The request: the key's layout and SSE-KMS headers. */
    assert_non_null(
        strstr(s3.last_line, "PUT /gd-export/pre/AWSLogs/" ACCT "/GuardDuty/us-east-1/"));
    assert_non_null(strstr(s3.last_line, ".jsonl.gz HTTP/1.1"));
    assert_non_null(strstr(c.last_key, "pre/AWSLogs/" ACCT "/GuardDuty/us-east-1/"));
    assert_non_null(strstr(s3.last_headers, "x-amz-server-side-encryption: aws:kms"));
    assert_non_null(strstr(s3.last_headers, "x-amz-server-side-encryption-aws-kms-key-id: " KMS));
    assert_non_null(strstr(s3.last_headers, "content-type: application/gzip"));
    /* Nothing more owed: nothing more written. */
    s = pass(st, now, false);
    assert_int_equal(s3.puts, 1);
    /* An update is held for the publishing interval: not owed until it has ended. */
    store1(st, &f[0], 2);
    assert_int_equal(s_int("SELECT count(*) FROM outbox_held", NULL), 1);
    /* At the time it was held (now, 2 s on, could lie past the interval's end). */
    s = pass(st, s_int("SELECT since_ms FROM outbox_held", NULL), false);
    assert_int_equal(s.released, 0);
    assert_int_equal(s3.puts, 1);
    s = pass(st, now + 21600000 * 2, false);
    assert_int_equal(s.released, 1);
    assert_int_equal(s3.puts, 2);
    object_ids(ids, &n);
    assert_int_equal(n, 1);
    assert_string_equal(ids[0], f[0].id);
    /* Archived before it went out: not exported. */
    store1(st, &f[1], 2);
    {
        const char *one[1] = {f[1].id};
        assert_int_equal(cm_store_set_archived(st, one, 1, true, err, sizeof(err)), 0);
    }
    s = pass(st, now + 21600000 * 4, false);
    assert_int_equal(s3.puts, 2);
    c = get(st, did);
    assert_int_equal(c.exported, 3);
    assert_int_equal(c.objects, 2);
    /* A limit per object: two findings, one per object. */
    {
        const char *one[1] = {f[1].id};
        assert_int_equal(cm_store_set_archived(st, one, 1, false, err, sizeof(err)), 0);
    }
    store1(st, &f[2], 5);
    {
        char ep[64];
        struct cm_aws_opts aws = {"us-east-1", ep, NULL};
        struct cm_pubdest_opts o = {0};
        snprintf(ep, sizeof(ep), "http://127.0.0.1:%d", s3.port);
        o.now_ms = now + 21600000 * 6;
        o.aws = &aws;
        o.max_per_object = 1;
        assert_int_equal(cm_pubdest_export(st, &o, NULL, NULL, &s, err, sizeof(err)), 0);
    }
    assert_int_equal(s.objects, 2);
    assert_int_equal(s.findings, 2);
    assert_int_equal(s3.puts, 4);
    /* A disabled detector: STOPPED, nothing sent. */
    assert_int_equal(s_int("SELECT count(*) FROM detectors", NULL), 1);
    {
        sqlite3 *db;
        assert_int_equal(sqlite3_open(s_path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db, "UPDATE detectors SET enabled = 0", NULL, NULL, NULL),
                         SQLITE_OK);
        sqlite3_close(db);
    }
    store1(st, &f[0], 9);
    s = pass(st, now + 21600000 * 8, false);
    assert_int_equal(s.stopped, 1);
    assert_string_equal(get(st, did).status, CM_PUBDEST_STOPPED);
    assert_int_equal(s3.puts, 4);
    /* An outcome for an ARN changed meanwhile is not recorded. */
    {
        struct cm_store_pubdest_outcome oc = {0};
        bool applied = true;
        oc.arn = "arn:aws:s3:::not-this-one";
        oc.status = CM_PUBDEST_UNABLE;
        oc.error = "x";
        oc.now_ms = now;
        assert_int_equal(cm_store_pubdest_record(st, did, &oc, &applied, err, sizeof(err)), 0);
        assert_false(applied);
    }
    /* Unknown destination asked for. */
    {
        struct cm_pubdest_opts o = {0};
        o.only = "nope";
        o.now_ms = now;
        assert_int_equal(cm_pubdest_export(st, &o, NULL, NULL, &s, err, sizeof(err)), CM_ENOTFOUND);
    }
    for (int i = 0; i < 3; i++) {
        cm_finding_finish(&f[i]);
    }
    t_events_finish(&e);
    cm_store_close(st);
    fake_stop();
}

static void test_metrics(void **state)
{
    struct t_events e;
    struct cm_finding f;
    struct cm_store *st = s_open();
    struct cm_buf b;
    char id[33];
    (void)state;

    cm_buf_init(&b, 0);
    /* No destination: nothing. */
    assert_int_equal(cm_pubdest_metrics_write(&b, st), 0);
    assert_int_equal(b.len, 0);
    t_events_init(&e);
    finding(&f, &e, types[0]);
    detector(st, true);
    create(st, "00000000000000000000000000000001", NULL, id);
    store1(st, &f, 1);
    assert_int_equal(cm_pubdest_metrics_write(&b, st), 0);
    assert_non_null(b.p);
    assert_non_null(strstr(b.p, "# TYPE coalmine_publishing_destination_status gauge\n"));
    assert_non_null(strstr(b.p, "coalmine_publishing_destination_status{destination=\""
                                "00000000000000000000000000000001\",status=\"PENDING_"
                                "VERIFICATION\"} 1\n"));
    assert_non_null(strstr(b.p, "coalmine_publishing_destination_status{destination=\""
                                "00000000000000000000000000000001\",status=\"PUBLISHING\"} 0\n"));
    assert_non_null(strstr(b.p, "coalmine_publishing_destination_owed_findings{destination=\""
                                "00000000000000000000000000000001\"} 1\n"));
    assert_non_null(strstr(b.p, "coalmine_publishing_destination_failing_since_seconds{"
                                "destination=\"00000000000000000000000000000001\"} 0.000\n"));
    assert_non_null(strstr(b.p, "coalmine_publishing_destination_exported_findings_total{"
                                "destination=\"00000000000000000000000000000001\"} 0\n"));
    cm_buf_finish(&b);
    cm_finding_finish(&f);
    t_events_finish(&e);
    cm_store_close(st);
}

static void test_gzip(void **state)
{
    struct cm_buf out;
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    char back[64];
    size_t n = 0;
    (void)state;

    cm_buf_init(&out, 0);
    assert_int_equal(cm_pubdest_gzip("{\"a\":1}\n", 8, &out), 0);
    assert_true(out.len > 18);
    assert_int_equal((unsigned char)out.p[0], 0x1f);
    assert_int_equal((unsigned char)out.p[1], 0x8b);
    assert_int_equal(libdeflate_gzip_decompress(d, out.p, out.len, back, sizeof(back), &n),
                     LIBDEFLATE_SUCCESS);
    assert_int_equal(n, 8);
    assert_memory_equal(back, "{\"a\":1}\n", 8);
    libdeflate_free_decompressor(d);
    cm_buf_finish(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_crud, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_export, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_metrics, s_setup, s_teardown),
        cmocka_unit_test(test_gzip),
    };
    int rc;

    /* The fake S3's credentials, nothing of the user's. */
    setenv("AWS_ACCESS_KEY_ID", "testing", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "testing", 1);
    unsetenv("AWS_SESSION_TOKEN");
    unsetenv("AWS_PROFILE");
    unsetenv("AWS_ENDPOINT_URL");
    unsetenv("AWS_ENDPOINT_URL_S3");
    setenv("AWS_CONFIG_FILE", "/dev/null", 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null", 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
