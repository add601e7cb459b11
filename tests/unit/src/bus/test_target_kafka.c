/*
 * The kafka target (src/bus/target_kafka.c): check() (canonical forms with
 * defaults, properties sorted, and the member each refusal names), and
 * delivery for real to librdkafka's mock cluster, run in this process on
 * 127.0.0.1 and read back with a consumer: the message's value, key and
 * headers, the edges of the properties check() lets through, the partition
 * a finding id picks, the key choices and a NULL ctx,
 * an unreachable broker, retriable and permanent broker errors, the
 * idempotent producer's id, a topic the cluster does not have, a bad spec,
 * deliveries from four threads at once, a topic replicated on three
 * brokers, and events near and past the message size limit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/err.h"
#include "bus/target.h"

#define EVENT      "{\"version\":\"0\",\"id\":\"ev-1\",\"detail\":{\"x\":\"\xc3\xbc \\\"q\\\"\"}}"
#define EV(i)      ("{\"n\":" #i "}") /* a small event, 7 bytes */
#define TOPIC      "findings"
#define PARTITIONS 3
#define MSGS_MAX   16

/* A spec with brokers and topic, then more members; one with a property. */
#define BT         "{\"brokers\":\"a:1\",\"topic\":\"t\""
#define PROP(n, v) BT ",\"properties\":{\"" n "\":\"" v "\"}}"

static const struct cm_target_ctx ctx1 = {
    "rule-1", "target-1", "finding-1", "Recon:EC2/PortProbeUnprotectedPort", 5.5, 2, 0,
    false,    NULL,       NULL,
};

#if defined(__SANITIZE_THREAD__)
/*
 * librdkafka makes its threads, mutexes and condition variables with C11
 * <threads.h>, which glibc implements without calling pthread_create and
 * friends: GCC 12's ThreadSanitizer sees none of it, and librdkafka's
 * threads crash in their first malloc. Under -fsanitize=thread this program
 * defines them over pthreads, which it does see, and librdkafka binds to
 * these definitions instead of glibc's.
 */
#include <threads.h>

#define PT(call) ((call) == 0 ? thrd_success : thrd_error)
#define M(m)     ((pthread_mutex_t *)(m))
#define C(c)     ((pthread_cond_t *)(c))

struct c11_start {
    thrd_start_t fn;
    void *arg;
};

static void *c11_trampoline(void *p)
{
    struct c11_start s = *(struct c11_start *)p;

    free(p);
    return (void *)(intptr_t)s.fn(s.arg);
}

int thrd_create(thrd_t *t, thrd_start_t fn, void *arg)
{
    struct c11_start *s = malloc(sizeof(*s));

    if (s == NULL) {
        return thrd_nomem;
    }
    *s = (struct c11_start){fn, arg};
    if (pthread_create(t, NULL, c11_trampoline, s) != 0) {
        free(s);
        return thrd_error;
    }
    return thrd_success;
}

int thrd_join(thrd_t t, int *res)
{
    void *r;

    if (pthread_join(t, &r) != 0) {
        return thrd_error;
    }
    if (res != NULL) {
        *res = (int)(intptr_t)r;
    }
    return thrd_success;
}

int mtx_init(mtx_t *m, int type)
{
    pthread_mutexattr_t a;
    int rc;

    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, (type & mtx_recursive) ? PTHREAD_MUTEX_RECURSIVE
                                                         : PTHREAD_MUTEX_NORMAL);
    rc = pthread_mutex_init(M(m), &a);
    pthread_mutexattr_destroy(&a);
    return PT(rc);
}

/* int name(T *x) { return PT(call); } and void name(T *x) { call; } */
#define C11_INT(name, T, call)                                                                     \
    int name(T *x)                                                                                 \
    {                                                                                              \
        return PT(call);                                                                           \
    }
#define C11_VOID(name, T, call)                                                                    \
    void name(T *x)                                                                                \
    {                                                                                              \
        call;                                                                                      \
    }
C11_INT(mtx_lock, mtx_t, pthread_mutex_lock(M(x)))
C11_INT(mtx_unlock, mtx_t, pthread_mutex_unlock(M(x)))
C11_VOID(mtx_destroy, mtx_t, pthread_mutex_destroy(M(x)))
C11_INT(cnd_init, cnd_t, pthread_cond_init(C(x), NULL))
C11_INT(cnd_signal, cnd_t, pthread_cond_signal(C(x)))
C11_INT(cnd_broadcast, cnd_t, pthread_cond_broadcast(C(x)))
C11_VOID(cnd_destroy, cnd_t, pthread_cond_destroy(C(x)))

int cnd_wait(cnd_t *c, mtx_t *m)
{
    return PT(pthread_cond_wait(C(c), M(m)));
}

int cnd_timedwait(cnd_t *restrict c, mtx_t *restrict m, const struct timespec *restrict t)
{
    int rc = pthread_cond_timedwait(C(c), M(m), t);

    return rc == ETIMEDOUT ? thrd_timedout : PT(rc);
}

void call_once(once_flag *f, void (*fn)(void))
{
    pthread_once((pthread_once_t *)f, fn);
}

/*
 * librdkafka is not instrumented: the atomics it synchronizes with
 * (reference counts, mostly) are invisible, so the accesses of the memcpy
 * and free it calls could only make false reports. Its locks are still
 * seen, and so is every access by this program and by coalmine.
 */
const char *__tsan_default_options(void);

const char *__tsan_default_options(void)
{
    return "ignore_noninstrumented_modules=1";
}
#endif

/* ---- helpers ---- */

static void nolog(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk, (void)level, (void)fac, (void)buf;
}

/* A mock cluster (on a throwaway producer of its own) with TOPIC on it. */
struct cluster {
    rd_kafka_t *rk;
    rd_kafka_mock_cluster_t *mc;
    char brokers[256];
};

static int cluster_new(void **state, int nbrokers)
{
    struct cluster *c = calloc(1, sizeof(*c));
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char why[512];

    if (c == NULL || conf == NULL) {
        return -1;
    }
    rd_kafka_conf_set_log_cb(conf, nolog);
    if ((c->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof(why))) == NULL ||
        (c->mc = rd_kafka_mock_cluster_new(c->rk, nbrokers)) == NULL ||
        rd_kafka_mock_topic_create(c->mc, TOPIC, PARTITIONS, nbrokers) != 0) {
        return -1;
    }
    snprintf(c->brokers, sizeof(c->brokers), "%s", rd_kafka_mock_cluster_bootstraps(c->mc));
    *state = c;
    return 0;
}

static int setup(void **state)
{
    return cluster_new(state, 1);
}

static int setup3(void **state)
{
    return cluster_new(state, 3); /* replication factor 3 */
}

static int teardown(void **state)
{
    struct cluster *c = *state;

    rd_kafka_mock_cluster_destroy(c->mc);
    rd_kafka_destroy(c->rk);
    free(c);
    return 0;
}

/* A spec for c's brokers and topic with more members (",..." or ""). */
static void spec_of(char *out, size_t outlen, const struct cluster *c, const char *topic,
                    const char *more)
{
    snprintf(out, outlen, "{\"brokers\":\"%s\",\"topic\":\"%s\"%s}", c->brokers, topic, more);
}

static int deliver(const char *spec, const char *ev, size_t evlen, const struct cm_target_ctx *ctx,
                   char *err, size_t errlen)
{
    const struct cm_target_kind *k = cm_target_kind("kafka");

    assert_non_null(k);
    err[0] = '\0';
    return k->deliver(spec, strlen(spec), ev, evlen, ctx, err, errlen);
}

static void deliver_ok(const char *spec, const char *ev, size_t evlen,
                       const struct cm_target_ctx *ctx)
{
    char err[1024];
    int rc = deliver(spec, ev, evlen, ctx, err, sizeof(err));

    if (rc != 0) {
        fail_msg("deliver %s: %d %s", spec, rc, err);
    }
}

static void assert_prefix(const char *got, const char *want)
{
    if (strncmp(got, want, strlen(want)) != 0) {
        fail_msg("\"%s\" does not start with \"%s\"", got, want);
    }
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* The messages read back (key NULL when a message had none). */
struct msgs {
    struct msg {
        int32_t partition;
        char *key, *value;
        size_t keylen, len;
        rd_kafka_headers_t *hdrs;
    } m[MSGS_MAX];
    size_t n;
};

static char *copy(const void *p, size_t n)
{
    char *q = p != NULL ? malloc(n + 1) : NULL;

    if (q != NULL) {
        memcpy(q, p, n);
        q[n] = '\0';
    }
    return q;
}

/* Every message of topic on c: each partition from its beginning to its end (within 10 s). */
static void consume(const struct cluster *c, const char *topic, struct msgs *out)
{
    static const char *const conf_kv[][2] = {{"group.id", "cm-test"},
                                             {"enable.auto.commit", "false"},
                                             {"enable.partition.eof", "true"},
                                             {"fetch.wait.max.ms", "20"}};
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_topic_partition_list_t *parts;
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_topic_t *rkt;
    struct timespec t0;
    char why[512];
    rd_kafka_t *rk;
    int nparts, eofs = 0;

    memset(out, 0, sizeof(*out));
    rd_kafka_conf_set_log_cb(conf, nolog);
    assert_int_equal(rd_kafka_conf_set(conf, "bootstrap.servers", c->brokers, why, sizeof(why)), 0);
    for (size_t i = 0; i < sizeof(conf_kv) / sizeof(conf_kv[0]); i++) {
        assert_int_equal(rd_kafka_conf_set(conf, conf_kv[i][0], conf_kv[i][1], why, sizeof(why)),
                         0);
    }
    assert_non_null(rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof(why)));
    assert_non_null(rkt = rd_kafka_topic_new(rk, topic, NULL));
    assert_int_equal(rd_kafka_metadata(rk, 0, rkt, &md, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
    assert_int_equal(md->topic_cnt, 1);
    assert_int_equal(md->topics[0].err, RD_KAFKA_RESP_ERR_NO_ERROR);
    assert_true((nparts = md->topics[0].partition_cnt) > 0);
    rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(rkt);

    parts = rd_kafka_topic_partition_list_new(nparts);
    for (int p = 0; p < nparts; p++) {
        rd_kafka_topic_partition_list_add(parts, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    }
    assert_int_equal(rd_kafka_assign(rk, parts), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(parts);

    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (eofs < nparts) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        rd_kafka_headers_t *h = NULL;
        struct msg *o;

        if (seconds_since(&t0) > 10) {
            fail_msg("%s: %d of %d partitions read to the end in 10 s", topic, eofs, nparts);
        }
        if (m == NULL || m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            eofs += m != NULL;
            if (m != NULL) {
                rd_kafka_message_destroy(m);
            }
            continue;
        }
        if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            fail_msg("consume %s: %s", topic, rd_kafka_message_errstr(m));
        }
        assert_true(out->n < MSGS_MAX);
        o = &out->m[out->n++];
        o->partition = m->partition;
        o->key = copy(m->key, o->keylen = m->key_len);
        o->value = copy(m->payload, o->len = m->len);
        if (rd_kafka_message_headers(m, &h) == RD_KAFKA_RESP_ERR_NO_ERROR) {
            o->hdrs = rd_kafka_headers_copy(h);
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
}

static void msgs_free(struct msgs *ms)
{
    for (size_t i = 0; i < ms->n; i++) {
        free(ms->m[i].key);
        free(ms->m[i].value);
        if (ms->m[i].hdrs != NULL) {
            rd_kafka_headers_destroy(ms->m[i].hdrs);
        }
    }
    ms->n = 0;
}

/* The message whose value is ev; fails unless there is exactly one. */
static const struct msg *find(const struct msgs *ms, const char *ev, size_t evlen)
{
    const struct msg *found = NULL;

    for (size_t i = 0; i < ms->n; i++) {
        if (ms->m[i].len == evlen && memcmp(ms->m[i].value, ev, evlen) == 0) {
            if (found != NULL) {
                fail_msg("event %.40s consumed twice", ev);
            }
            found = &ms->m[i];
        }
    }
    if (found == NULL) {
        fail_msg("event %.40s not consumed (%zu messages)", ev, ms->n);
    }
    return found;
}

static void assert_key(const struct msg *m, const char *want)
{
    if (want == NULL) {
        assert_null(m->key);
        return;
    }
    assert_non_null(m->key);
    assert_int_equal(m->keylen, strlen(want));
    assert_memory_equal(m->key, want, m->keylen);
}

/* m's headers, "name=value\n" each, in order, are want (and no value is a null one). */
static void assert_headers(const struct msg *m, const char *want)
{
    const char *name;
    const void *val;
    size_t size;
    char got[1024] = "";

    assert_non_null(m->hdrs);
    for (size_t i = 0; rd_kafka_header_get_all(m->hdrs, i, &name, &val, &size) == 0; i++) {
        assert_non_null(val);
        snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s=%.*s\n", name, (int)size,
                 (const char *)val);
    }
    assert_string_equal(got, want);
}

/* ---- check() ---- */

static void check_ok(const char *spec, const char *want)
{
    const struct cm_target_kind *k = cm_target_kind("kafka");
    struct cm_buf canon;
    char err[512] = "";

    cm_buf_init(&canon, 0);
    assert_int_equal(cm_buf_puts(&canon, ">"), 0);
    if (k->check(spec, strlen(spec), &canon, err, sizeof(err)) != 0) {
        fail_msg("%s: %s", spec, err);
    }
    assert_string_equal(canon.p + 1, want);
    assert_int_equal(k->check(spec, strlen(spec), NULL, err, sizeof(err)), 0);
    cm_buf_finish(&canon);
}

static void check_bad(const char *spec, const char *want)
{
    const struct cm_target_kind *k = cm_target_kind("kafka");
    struct cm_buf canon;
    char err[512] = "";
    int rc;

    cm_buf_init(&canon, 0);
    assert_int_equal(cm_buf_puts(&canon, "keep"), 0);
    rc = k->check(spec, strlen(spec), &canon, err, sizeof(err));
    if (rc != CM_EINVAL || strncmp(err, want, strlen(want)) != 0) {
        fail_msg("%s: got %d \"%s\", want CM_EINVAL \"%s...\"", spec, rc, err, want);
    }
    assert_string_equal(canon.p, "keep");
    cm_buf_finish(&canon);
}

static void test_check(void **state)
{
    char spec[1400], want[1400], name[251];

    (void)state;
    assert_string_equal(cm_target_kind("kafka")->name, "kafka");
    check_ok("{\"topic\":\"t\",\"brokers\":\"a:1\"}",
             BT ",\"key\":\"finding_id\",\"timeout_seconds\":10,\"properties\":{}}");
    check_ok(" {\"properties\":{\"socket.keepalive.enable\":\"true\",\"client.rack\":\"r1\"},\n"
             "  \"timeout_seconds\":300,\"key\":\"none\",\"topic\":\"A.b_c-9\","
             "\"brokers\":\"h1:9092,h2:9093\"} ",
             "{\"brokers\":\"h1:9092,h2:9093\",\"topic\":\"A.b_c-9\",\"key\":\"none\","
             "\"timeout_seconds\":300,\"properties\":{\"client.rack\":\"r1\","
             "\"socket.keepalive.enable\":\"true\"}}");
    check_ok(BT ",\"key\":null,\"timeout_seconds\":null,\"properties\":null}",
             BT ",\"key\":\"finding_id\",\"timeout_seconds\":10,\"properties\":{}}");
    check_ok(BT ",\"key\":\"finding_type\",\"timeout_seconds\":1}",
             BT ",\"key\":\"finding_type\",\"timeout_seconds\":1,\"properties\":{}}");
    check_ok(BT ",\"key\":\"rule\"}",
             BT ",\"key\":\"rule\",\"timeout_seconds\":10,\"properties\":{}}");
    memset(name, 'x', 249); /* Kafka's longest topic name */
    name[249] = '\0';
    snprintf(spec, sizeof(spec), "{\"brokers\":\"b\",\"topic\":\"%s\"}", name);
    snprintf(want, sizeof(want),
             "{\"brokers\":\"b\",\"topic\":\"%s\",\"key\":\"finding_id\",\"timeout_seconds\":10,"
             "\"properties\":{}}",
             name);
    check_ok(spec, want);

    check_bad("{}", "brokers: missing");
    check_bad("{\"topic\":\"t\"}", "brokers: missing");
    check_bad("{\"brokers\":\"\",\"topic\":\"t\"}", "brokers: empty");
    check_bad("{\"brokers\":\"a:1,,b:2\",\"topic\":\"t\"}", "brokers: an empty entry at byte 5");
    check_bad("{\"brokers\":\"a:1,\",\"topic\":\"t\"}", "brokers: an empty entry at byte 5");
    check_bad("{\"brokers\":\",a:1\",\"topic\":\"t\"}", "brokers: an empty entry at byte 1");
    check_bad("{\"brokers\":\"a:1, b:2\",\"topic\":\"t\"}", "brokers: byte 5 is a space");
    check_bad("{\"brokers\":\"a:1\\tb\",\"topic\":\"t\"}", "brokers: byte 4 is a control");
    check_bad("{\"brokers\":[\"a:1\"],\"topic\":\"t\"}", "brokers: must be a string");
    memset(want, 'b', 1025);
    snprintf(spec, sizeof(spec), "{\"topic\":\"t\",\"brokers\":\"%.1025s\"}", want);
    check_bad(spec, "brokers: longer than 1024 bytes");
    check_bad("{\"brokers\":\"a:1\"}", "topic: missing");
    check_bad("{\"brokers\":\"a:1\",\"topic\":\"a/b\"}", "topic: byte 2 is not one of");
    check_bad("{\"brokers\":\"a:1\",\"topic\":\"t \"}", "topic: byte 2 is not one of");
    check_bad("{\"brokers\":\"a:1\",\"topic\":\".\"}", "topic: must be a Kafka topic name");
    check_bad("{\"brokers\":\"a:1\",\"topic\":\"..\"}", "topic: must be a Kafka topic name");
    check_bad("{\"brokers\":\"a:1\",\"topic\":\"\"}", "topic: must be a Kafka topic name");
    snprintf(spec, sizeof(spec), "{\"brokers\":\"b\",\"topic\":\"%sx\"}", name);
    check_bad(spec, "topic: longer than 249 bytes");
    check_bad(BT ",\"key\":\"id\"}", "key: must be finding_id, finding_type, rule or none");
    check_bad(BT ",\"key\":1}", "key: must be a string");
    check_bad(BT ",\"timeout_seconds\":0}",
              "timeout_seconds: must be an integer from 1 to 300 (got 0)");
    check_bad(BT ",\"timeout_seconds\":301}",
              "timeout_seconds: must be an integer from 1 to 300 (got 301)");
    check_bad(PROP("no.such.thing", "1"),
              "properties.no.such.thing: No such configuration property: \"no.such.thing\"");
    check_bad(PROP("socket.timeout.ms", "x"), "properties.socket.timeout.ms: Invalid value");
    check_bad(PROP("bootstrap.servers", "b:1"),
              "properties.bootstrap.servers: set by coalmine; use brokers");
    check_bad(PROP("metadata.broker.list", "b:1"),
              "properties.metadata.broker.list: set by coalmine; use brokers");
    check_bad(PROP("message.timeout.ms", "5"),
              "properties.message.timeout.ms: set by coalmine; use timeout_seconds");
    check_bad(PROP("delivery.timeout.ms", "5"),
              "properties.delivery.timeout.ms: set by coalmine; use timeout_seconds");
    check_bad(PROP("acks", "1"), "properties.acks: set by coalmine");
    check_bad(PROP("request.required.acks", "1"),
              "properties.request.required.acks: set by coalmine");
    check_bad(PROP("enable.idempotence", "false"),
              "properties.enable.idempotence: set by coalmine");
    check_bad(PROP("transactional.id", "x"),
              "properties.transactional.id: not supported: each event is one idempotent message");
    check_bad(PROP("plugin.library.paths", "/nonexistent/plugin.so"),
              "properties.plugin.library.paths: not supported: it loads code into coalmine");
    /* Combinations librdkafka refuses only when it makes the producer. */
    check_bad(PROP("retries", "0"),
              "properties.retries: must be at least 1 for an idempotent producer");
    check_bad(PROP("message.send.max.retries", "0"),
              "properties.message.send.max.retries: must be at least 1 for an idempotent producer");
    check_bad(PROP("max.in.flight", "6"),
              "properties.max.in.flight: must be at most 5 for an idempotent producer");
    check_bad(PROP("max.in.flight.requests.per.connection", "100"),
              "properties.max.in.flight.requests.per.connection: must be at most 5 for an "
              "idempotent producer");
    check_bad(BT ",\"timeout_seconds\":1,\"properties\":{\"linger.ms\":\"1000\"}}",
              "properties.linger.ms: must be below timeout_seconds (1000 ms)");
    check_bad(PROP("queue.buffering.max.ms", "10000"),
              "properties.queue.buffering.max.ms: must be below timeout_seconds (10000 ms)");
    check_ok(BT ",\"properties\":{\"linger.ms\":\"9999\",\"max.in.flight\":\"5\","
                "\"retries\":\"1\"}}",
             BT ",\"key\":\"finding_id\",\"timeout_seconds\":10,\"properties\":{\"linger.ms\":"
                "\"9999\",\"max.in.flight\":\"5\",\"retries\":\"1\"}}");
    check_bad(PROP("client.rack", ""), "properties.client.rack: the value is empty");
    check_bad(BT ",\"properties\":{\"client.rack\":1}}",
              "properties.client.rack: must be a string");
    check_bad(BT ",\"properties\":[]}", "properties: must be an object of strings");
    check_bad(BT ",\"partitions\":3}", "partitions: unknown member");
    check_bad(BT ",\"topic\":\"u\"}", "topic: given twice");
    check_bad("[\"a:1\"]", "spec: must be a JSON object");
    check_bad("{\"brokers\":", "spec: not valid JSON");
}

/* ---- delivery ---- */

static void test_deliver_one(void **state)
{
    const struct cluster *c = *state;
    char spec[512];
    struct msgs ms;
    const struct msg *m;

    spec_of(spec, sizeof(spec), c, TOPIC, "");
    deliver_ok(spec, EVENT, strlen(EVENT), &ctx1);
    consume(c, TOPIC, &ms);
    assert_int_equal(ms.n, 1);
    m = find(&ms, EVENT, strlen(EVENT));
    assert_key(m, "finding-1");
    assert_headers(m, "content-type=application/json\ncoalmine-rule=rule-1\n"
                      "coalmine-target=target-1\ncoalmine-finding-id=finding-1\n"
                      "coalmine-attempt=2\n");
    msgs_free(&ms);
}

/*
 * The edges of what check() lets through (linger just under the timeout, 5
 * requests in flight, 1 retry) are producers librdkafka really makes.
 */
static void test_edge_props(void **state)
{
    const struct cluster *c = *state;
    char spec[512];
    struct msgs ms;

    spec_of(spec, sizeof(spec), c, TOPIC,
            ",\"timeout_seconds\":2,\"properties\":{\"linger.ms\":\"1999\","
            "\"max.in.flight\":\"5\",\"retries\":\"1\"}");
    deliver_ok(spec, EV(1), 7, &ctx1);
    consume(c, TOPIC, &ms);
    assert_int_equal(ms.n, 1);
    find(&ms, EV(1), 7);
    msgs_free(&ms);
}

/* Every event of one finding goes to the partition its id hashes to, in order. */
static void test_key_partition(void **state)
{
    const struct cluster *c = *state;
    struct cm_target_ctx other = ctx1;
    char spec[512], id[32];
    int32_t p1, p2 = -1;
    struct msgs ms;
    size_t n = 0;

    p1 = rd_kafka_msg_partitioner_consistent_random(NULL, "finding-1", 9, PARTITIONS, NULL, NULL);
    for (int i = 2; p2 < 0 || p2 == p1; i++) {
        snprintf(id, sizeof(id), "finding-%d", i);
        p2 = rd_kafka_msg_partitioner_consistent_random(NULL, id, strlen(id), PARTITIONS, NULL,
                                                        NULL);
    }
    other.finding_id = id;
    spec_of(spec, sizeof(spec), c, TOPIC, "");
    deliver_ok(spec, EV(1), 7, &ctx1);
    deliver_ok(spec, EV(2), 7, &other);
    deliver_ok(spec, EV(3), 7, &ctx1);
    deliver_ok(spec, EV(4), 7, &ctx1);
    consume(c, TOPIC, &ms);
    assert_int_equal(ms.n, 4);
    assert_int_equal(find(&ms, EV(1), 7)->partition, p1);
    assert_int_equal(find(&ms, EV(2), 7)->partition, p2);
    assert_int_equal(find(&ms, EV(3), 7)->partition, p1);
    assert_int_equal(find(&ms, EV(4), 7)->partition, p1);
    for (size_t i = 0; i < ms.n; i++) { /* in order within the partition */
        if (ms.m[i].partition == p1) {
            assert_int_equal(ms.m[i].value[5], "134"[n++]);
        }
    }
    msgs_free(&ms);
}

static void test_key_choice(void **state)
{
    const struct cluster *c = *state;
    struct cm_target_ctx bare = {"rule-2", "target-2", NULL, NULL, -1, 1, 0, false, NULL, NULL};
    char spec[512];
    struct msgs ms;

    spec_of(spec, sizeof(spec), c, TOPIC, ",\"key\":\"none\"");
    deliver_ok(spec, EV(1), 7, &ctx1);
    spec_of(spec, sizeof(spec), c, TOPIC, ",\"key\":\"rule\"");
    deliver_ok(spec, EV(2), 7, &ctx1);
    spec_of(spec, sizeof(spec), c, TOPIC, ",\"key\":\"finding_type\"");
    deliver_ok(spec, EV(3), 7, &ctx1);
    deliver_ok(spec, EV(4), 7, &bare);
    spec_of(spec, sizeof(spec), c, TOPIC, ",\"key\":\"finding_id\"");
    deliver_ok(spec, EV(5), 7, &bare);
    deliver_ok(spec, EV(6), 7, NULL);
    consume(c, TOPIC, &ms);
    assert_int_equal(ms.n, 6);
    assert_key(find(&ms, EV(1), 7), NULL);
    assert_key(find(&ms, EV(2), 7), "rule-1");
    assert_key(find(&ms, EV(3), 7), "Recon:EC2/PortProbeUnprotectedPort");
    assert_key(find(&ms, EV(4), 7), NULL);
    assert_key(find(&ms, EV(5), 7), NULL);
    /* A NULL ctx: empty names, attempt 0, no finding id. */
    assert_key(find(&ms, EV(6), 7), NULL);
    assert_headers(find(&ms, EV(6), 7), "content-type=application/json\ncoalmine-rule=\n"
                                        "coalmine-target=\ncoalmine-attempt=0\n");
    msgs_free(&ms);
}

/* err holds want, or the test fails showing err. */
static void assert_has(const char *err, const char *want)
{
    if (strstr(err, want) == NULL) {
        fail_msg("\"%s\" does not say \"%s\"", err, want);
    }
}

/*
 * The broker errors below are the ones the error callback saw before the message timed
 * out: 5 s, so that the first connection is tried in time on a loaded machine under a
 * sanitizer (with 1 s, CI's ASan pass once timed out before librdkafka had connected).
 */
static void test_unreachable(void **state)
{
    const char *spec = "{\"brokers\":\"127.0.0.1:1\",\"topic\":\"findings\",\"timeout_seconds\":5}";
    struct timespec t0;
    char err[1024];
    int rc;

    (void)state;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = deliver(spec, EVENT, strlen(EVENT), &ctx1, err, sizeof(err));
    assert_true(seconds_since(&t0) < 60.0); /* a hang guard, not a speed test */
    assert_int_equal(rc, CM_EIO);
    assert_prefix(err, "kafka findings@127.0.0.1:1: ");
    /* The report says the message timed out; the error callback, why. */
    assert_has(err, ": Local: Message timed out (last broker error: ");
    assert_has(err, "Connection refused");
}

/* A broker on instance metadata: the connect callback refuses it (net_guard.h), no socket
 * connects there; librdkafka reports the refusal as the broker error. */
static void test_metadata_broker(void **state)
{
    const char *spec =
        "{\"brokers\":\"169.254.169.254:9092\",\"topic\":\"findings\",\"timeout_seconds\":5}";
    char err[1024];

    (void)state;
    assert_int_equal(deliver(spec, EVENT, strlen(EVENT), &ctx1, err, sizeof(err)), CM_EIO);
    assert_has(err, "169.254.169.254");
    assert_has(err, "Permission denied");
}

/*
 * Retriable broker errors are retried, and the message is there once. (A
 * lost response cannot show idempotence here: librdkafka 2.0's mock broker
 * checks sequence numbers for transactional producers only, so the retry of
 * a Produce whose response came after socket.timeout.ms is appended twice.
 * test_idempotent shows the producer is idempotent.)
 */
static void test_retriable(void **state)
{
    const struct cluster *c = *state;
    char spec[512];
    struct msgs ms;

    spec_of(spec, sizeof(spec), c, TOPIC, "");
    rd_kafka_mock_push_request_errors(c->mc, 0 /* Produce */, 1,
                                      RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION);
    deliver_ok(spec, EV(1), 7, &ctx1);
    rd_kafka_mock_push_request_errors(c->mc, 0, 2, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
                                      RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS);
    deliver_ok(spec, EV(2), 7, &ctx1);
    consume(c, TOPIC, &ms);
    assert_int_equal(ms.n, 2);
    find(&ms, EV(1), 7);
    find(&ms, EV(2), 7);
    msgs_free(&ms);
}

/*
 * The producer is idempotent: it asks for a producer id first (a retriable
 * refusal is retried), and a broker that will not give one fails the
 * delivery with librdkafka's fatal error.
 */
static void test_idempotent(void **state)
{
    const struct cluster *c = *state;
    char spec[512], err[1024], want[512];
    struct msgs ms;

    spec_of(spec, sizeof(spec), c, TOPIC, ",\"timeout_seconds\":3");
    rd_kafka_mock_push_request_errors(c->mc, 22 /* InitProducerId */, 1,
                                      RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE);
    deliver_ok(spec, EV(1), 7, &ctx1);
    rd_kafka_mock_push_request_errors(c->mc, 22, 1, RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED);
    assert_int_equal(deliver(spec, EV(2), 7, &ctx1, err, sizeof(err)), CM_EIO);
    snprintf(want, sizeof(want), "kafka findings@%s: ", c->brokers);
    assert_prefix(err, want);
    /* The report only says the message was purged: the fatal error is the reason given. */
    snprintf(want, sizeof(want), "kafka findings@%s: fatal: ", c->brokers);
    assert_prefix(err, want);
    assert_null(strstr(err, "Purged"));
    assert_non_null(strstr(err, "Failed to acquire idempotence PID"));
    assert_non_null(strstr(err, "Cluster authorization failed"));
    consume(c, TOPIC, &ms);
    assert_int_equal(ms.n, 1);
    find(&ms, EV(1), 7);
    msgs_free(&ms);
}

static void test_permanent(void **state)
{
    const struct cluster *c = *state;
    rd_kafka_resp_err_t errs[10];
    char spec[512], err[1024], want[512];
    struct msgs ms;

    for (size_t i = 0; i < 10; i++) {
        errs[i] = RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED;
    }
    rd_kafka_mock_push_request_errors_array(c->mc, 0 /* Produce */, 10, errs);
    spec_of(spec, sizeof(spec), c, TOPIC, ",\"timeout_seconds\":3");
    assert_int_equal(deliver(spec, EVENT, strlen(EVENT), &ctx1, err, sizeof(err)), CM_EIO);
    snprintf(want, sizeof(want), "kafka findings@%s: Broker: Topic authorization failed",
             c->brokers);
    assert_prefix(err, want);
    consume(c, TOPIC, &ms);
    assert_int_equal(ms.n, 0);
}

/* The mock cluster creates a topic it lacks when asked for it, like auto.create.topics.enable. */
static void test_unknown_topic(void **state)
{
    const struct cluster *c = *state;
    char spec[512];
    struct msgs ms;

    spec_of(spec, sizeof(spec), c, "not-created", "");
    deliver_ok(spec, EVENT, strlen(EVENT), &ctx1);
    consume(c, "not-created", &ms);
    assert_int_equal(ms.n, 1);
    assert_key(find(&ms, EVENT, strlen(EVENT)), "finding-1");
    msgs_free(&ms);
}

static void test_bad_spec(void **state)
{
    const struct cluster *c = *state;
    static const struct {
        const char *more, *want;
    } bad[] = {
        {",\"key\":\"id\"", "key: must be"},
        {",\"timeout_seconds\":0", "timeout_seconds: must be"},
        {",\"properties\":{\"acks\":\"0\"}", "properties.acks: set by coalmine"},
        {",\"properties\":{\"no.such\":\"1\"}", "properties.no.such: No such configuration"},
        {",\"brokerz\":\"x\"", "brokerz: unknown member"},
    };
    char spec[512], err[1024], want[512];
    struct msgs ms;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        spec_of(spec, sizeof(spec), c, TOPIC, bad[i].more);
        assert_int_equal(deliver(spec, EVENT, strlen(EVENT), &ctx1, err, sizeof(err)), CM_EINVAL);
        snprintf(want, sizeof(want), "kafka: bad spec: %s", bad[i].want);
        assert_prefix(err, want);
    }
    assert_int_equal(deliver("{\"topic\":\"t\"}", EVENT, strlen(EVENT), &ctx1, err, sizeof(err)),
                     CM_EINVAL);
    assert_prefix(err, "kafka: bad spec: brokers: missing");
    assert_int_equal(deliver("[]", EVENT, strlen(EVENT), NULL, err, sizeof(err)), CM_EINVAL);
    assert_prefix(err, "kafka: bad spec: spec: must be a JSON object");
    consume(c, TOPIC, &ms);
    assert_int_equal(ms.n, 0);
}

struct worker {
    pthread_t t;
    const char *spec;
    char id[32], ev[32], err[1024];
    struct cm_target_ctx ctx;
    int rc;
};

static void *work(void *arg)
{
    struct worker *w = arg;

    w->rc = deliver(w->spec, w->ev, strlen(w->ev), &w->ctx, w->err, sizeof(w->err));
    return NULL;
}

static void test_threads(void **state)
{
    const struct cluster *c = *state;
    struct worker w[4];
    char spec[512];
    struct msgs ms;

    spec_of(spec, sizeof(spec), c, TOPIC, "");
    for (int i = 0; i < 4; i++) {
        w[i].spec = spec;
        w[i].ctx = ctx1;
        w[i].ctx.finding_id = w[i].id;
        snprintf(w[i].id, sizeof(w[i].id), "finding-t%d", i);
        snprintf(w[i].ev, sizeof(w[i].ev), "{\"thread\":%d}", i);
        assert_int_equal(pthread_create(&w[i].t, NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(w[i].t, NULL), 0);
    }
    for (int i = 0; i < 4; i++) {
        if (w[i].rc != 0) {
            fail_msg("thread %d: %d %s", i, w[i].rc, w[i].err);
        }
    }
    consume(c, TOPIC, &ms);
    assert_int_equal(ms.n, 4);
    for (int i = 0; i < 4; i++) {
        assert_key(find(&ms, w[i].ev, strlen(w[i].ev)), w[i].id);
    }
    msgs_free(&ms);
}

/* acks=all on a topic with three replicas. */
static void test_replicated(void **state)
{
    const struct cluster *c = *state;
    char spec[512];
    struct msgs ms;

    assert_non_null(strchr(c->brokers, ','));
    spec_of(spec, sizeof(spec), c, TOPIC, "");
    deliver_ok(spec, EVENT, strlen(EVENT), &ctx1);
    deliver_ok(spec, EV(2), 7, NULL);
    consume(c, TOPIC, &ms);
    assert_int_equal(ms.n, 2);
    assert_key(find(&ms, EVENT, strlen(EVENT)), "finding-1");
    assert_key(find(&ms, EV(2), 7), NULL);
    msgs_free(&ms);
}

static void test_large(void **state)
{
    const struct cluster *c = *state;
    size_t big = 512 * 1024, huge = 1100000;
    char *ev = malloc(huge);
    char spec[512], err[1024], want[512];
    struct timespec t0;
    struct msgs ms;

    assert_non_null(ev);
    for (size_t i = 0; i < huge; i++) {
        ev[i] = (char)('a' + i % 26);
    }
    spec_of(spec, sizeof(spec), c, TOPIC, "");
    deliver_ok(spec, ev, big, &ctx1);
    /*
     * Past message.max.bytes (1000000, counting key and headers) librdkafka
     * refuses the message before sending it: at once, not after the delivery
     * timeout (120 s here, so a loaded machine's slowness is not mistaken for it).
     */
    spec_of(spec, sizeof(spec), c, TOPIC, ",\"timeout_seconds\":120");
    snprintf(want, sizeof(want),
             "kafka findings@%s: the event (1100000 bytes, with its key and headers more) is "
             "over the producer's message.max.bytes",
             c->brokers);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(deliver(spec, ev, huge, &ctx1, err, sizeof(err)), CM_EINVAL);
    assert_string_equal(err, want);
    assert_int_equal(deliver(spec, ev, 1000000, &ctx1, err, sizeof(err)), CM_EINVAL);
    assert_non_null(strstr(err, "(1000000 bytes, with its key and headers more)"));
    assert_true(seconds_since(&t0) < 60.0);
    consume(c, TOPIC, &ms);
    assert_int_equal(ms.n, 1);
    assert_key(find(&ms, ev, big), "finding-1");
    msgs_free(&ms);
    free(ev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check),
        cmocka_unit_test_setup_teardown(test_deliver_one, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edge_props, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_partition, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_choice, setup, teardown),
        cmocka_unit_test(test_unreachable),
        cmocka_unit_test(test_metadata_broker),
        cmocka_unit_test_setup_teardown(test_retriable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_permanent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_topic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_spec, setup, teardown),
        cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replicated, setup3, teardown),
        cmocka_unit_test_setup_teardown(test_large, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
