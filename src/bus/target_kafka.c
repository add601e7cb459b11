/*
 * The kafka target: produces the event as one message to a Kafka topic with
 * librdkafka, one idempotent producer per delivery (nothing shared between
 * threads, no connection kept between scans). A delivery succeeds when the
 * partition leader and its in-sync replicas have the message (acks=all);
 * anything else fails with librdkafka's reason and, when there was one, the
 * last error a broker connection reported.
 *
 *   {"brokers": "10.0.0.5:9092,10.0.0.6:9092", "topic": "guardduty-findings",
 *    "key": "finding_id", "timeout_seconds": 10,
 *    "properties": {"security.protocol": "SASL_SSL", "sasl.mechanisms": "SCRAM-SHA-512"}}
 *
 * The message key is the finding id by default, so every event of one
 * finding lands in one partition, in order. The headers say where the
 * message comes from: coalmine-rule, coalmine-target, coalmine-finding-id,
 * coalmine-attempt and content-type.
 */
#include "bus/target_impl.h"

#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/str.h"
#include "coalmine/version.h"
#include "net/net_guard.h"

#define BROKERS_MAX      1024
#define TOPIC_MAX        249 /* Kafka's own limit */
#define PROPERTY_MAX     4096
#define TIMEOUT_DEFAULT  10
#define TIMEOUT_MAX      300
#define FLUSH_SLACK_MS   2000 /* past the message timeout, for its report to arrive */
#define MSG_BROKERS_MAX  128  /* bytes of the broker list shown in messages */
#define BROKER_ERROR_MAX 300
#define FATAL_WAIT_POLLS 100 /* of 10 ms: the wait for a fatal error's reason */

/* What the message key is: an index into keys[]. */
enum key_kind { KEY_FINDING_ID, KEY_FINDING_TYPE, KEY_RULE, KEY_NONE };

struct kafka_spec {
    const char *brokers;
    const char *topic;
    enum key_kind key;
    int64_t timeout;
    struct cm_tspec_pair *props;
    size_t nprops;
    bool allow_link_local; /* connect to link-local and metadata addresses (net_guard.h) */
};

static const char *const members[] = {
    "brokers", "topic", "key", "timeout_seconds", "properties", "allow_link_local", NULL};

/* The names of enum key_kind, in its order: a name of the delivery, or none. */
static const char *const keys[] = {"finding_id", "finding_type", "rule", "none", NULL};

/* Properties a spec may not set, and why. */
static const struct {
    const char *name;
    const char *why;
} reserved[] = {
    {"bootstrap.servers", "set by coalmine; use brokers"},
    {"metadata.broker.list", "set by coalmine; use brokers"},
    {"message.timeout.ms", "set by coalmine; use timeout_seconds"},
    {"delivery.timeout.ms", "set by coalmine; use timeout_seconds"},
    {"enable.idempotence", "set by coalmine: delivery is idempotent with acks=all"},
    {"acks", "set by coalmine: delivery is idempotent with acks=all"},
    {"request.required.acks", "set by coalmine: delivery is idempotent with acks=all"},
    {"transactional.id", "not supported: each event is one idempotent message, not a transaction"},
    {"plugin.library.paths", "not supported: it loads code into coalmine"},
};

static int check_brokers(struct cm_tspec *s, const char *b)
{
    const char *p = b;

    if (*b == '\0') {
        return cm_tspec_fail(s, "brokers: empty (host:port, comma-separated)");
    }
    for (;; p++) {
        unsigned char c = (unsigned char)*p;
        const char *why;

        if (c == ',' || c == '\0') {
            if (p == b || p[-1] == ',') {
                return cm_tspec_fail(s, "brokers: an empty entry at byte %zu", (size_t)(p - b) + 1);
            }
            if (c == '\0') {
                return 0;
            }
            continue;
        }
        if ((why = cm_target_byte_fault(c)) != NULL) {
            return cm_tspec_fail(s, "brokers: byte %zu is %s", (size_t)(p - b) + 1, why);
        }
    }
}

static int check_topic(struct cm_tspec *s, const char *t)
{
    size_t len = strlen(t), bad = cm_str_name_span(cm_str_make(t, len));

    if (*t == '\0' || strcmp(t, ".") == 0 || strcmp(t, "..") == 0) {
        return cm_tspec_fail(s, "topic: must be a Kafka topic name ([A-Za-z0-9._-]{1,249}, not "
                                "'.' or '..')");
    }
    if (bad < len) {
        return cm_tspec_fail(s, "topic: byte %zu is not one of A-Z a-z 0-9 . _ -", bad + 1);
    }
    return 0;
}

/*
 * Sets name = value on conf; on refusal fills err through s with
 * librdkafka's reason, under member (the spec member that asked for it;
 * NULL: properties.<name>).
 */
static int conf_set(struct cm_tspec *s, rd_kafka_conf_t *conf, const char *member, const char *name,
                    const char *value)
{
    char why[512] = "";

    if (rd_kafka_conf_set(conf, name, value, why, sizeof(why)) != RD_KAFKA_CONF_OK) {
        char shown[sizeof(why)];

        cm_target_printable(shown, sizeof(shown), why, strlen(why));
        if (member == NULL) {
            return cm_tspec_fail(s, "properties.%s: %s", name, shown);
        }
        return cm_tspec_fail(s, "%s: %s", member, shown);
    }
    return 0;
}

/*
 * The spec's properties on conf: librdkafka itself says whether a name is
 * one of its properties and the value fits.
 */
static int apply_props(struct cm_tspec *s, const struct kafka_spec *k, rd_kafka_conf_t *conf)
{
    for (size_t i = 0; i < k->nprops; i++) {
        const char *name = k->props[i].name;
        int rc;

        for (size_t j = 0; j < sizeof(reserved) / sizeof(reserved[0]); j++) {
            if (strcmp(name, reserved[j].name) == 0) {
                return cm_tspec_fail(s, "properties.%s: %s", name, reserved[j].why);
            }
        }
        if (k->props[i].value[0] == '\0') {
            return cm_tspec_fail(s, "properties.%s: the value is empty", name);
        }
        if ((rc = conf_set(s, conf, NULL, name, k->props[i].value)) != 0) {
            return rc;
        }
    }
    return 0;
}

/* Whether name is a or b (a property and its alias). */
static bool is(const char *name, const char *a, const char *b)
{
    return strcmp(name, a) == 0 || strcmp(name, b) == 0;
}

/*
 * What librdkafka only checks when it makes the producer, checked here so
 * that `targets put` refuses it: an idempotent producer needs retries and at
 * most 5 requests in flight, and a message must be sent before it times out.
 * Only values a spec sets count (librdkafka adjusts its own defaults), and
 * they are numbers by now: conf_set took them.
 */
static int check_combined(struct cm_tspec *s, const struct kafka_spec *k)
{
    for (size_t i = 0; i < k->nprops; i++) {
        const char *name = k->props[i].name;
        double v = strtod(k->props[i].value, NULL);

        if (is(name, "retries", "message.send.max.retries") && v < 1) {
            return cm_tspec_fail(s, "properties.%s: must be at least 1 for an idempotent producer",
                                 name);
        }
        if (is(name, "max.in.flight", "max.in.flight.requests.per.connection") && v > 5) {
            return cm_tspec_fail(s, "properties.%s: must be at most 5 for an idempotent producer",
                                 name);
        }
        if (is(name, "linger.ms", "queue.buffering.max.ms") && v >= (double)k->timeout * 1000) {
            return cm_tspec_fail(s, "properties.%s: must be below timeout_seconds (%lld ms)", name,
                                 (long long)k->timeout * 1000);
        }
    }
    return 0;
}

/*
 * The producer's whole configuration on conf: what coalmine sets, then the
 * spec's properties, then the checks of how they combine.
 */
static int fill_conf(struct cm_tspec *s, const struct kafka_spec *k, rd_kafka_conf_t *conf)
{
    char timeout[24];
    int rc;

    snprintf(timeout, sizeof(timeout), "%lld", (long long)k->timeout * 1000);
    if ((rc = conf_set(s, conf, "brokers", "bootstrap.servers", k->brokers)) != 0 ||
        (rc = conf_set(s, conf, "client.id", "client.id", "coalmine/" COALMINE_VERSION)) != 0 ||
        (rc = conf_set(s, conf, "enable.idempotence", "enable.idempotence", "true")) != 0 ||
        (rc = conf_set(s, conf, "timeout_seconds", "message.timeout.ms", timeout)) != 0 ||
        (rc = conf_set(s, conf, "linger.ms", "linger.ms", "0")) != 0 ||
        (rc = apply_props(s, k, conf)) != 0) {
        return rc;
    }
    return check_combined(s, k);
}

static int kafka_read(struct cm_tspec *s, struct kafka_spec *k)
{
    uint32_t v;
    int rc;

    k->key = KEY_FINDING_ID;
    if ((v = cm_tspec_member(s, "brokers")) == CM_JSON_NONE) {
        return cm_tspec_fail(s, "brokers: missing (host:port, comma-separated)");
    }
    if ((rc = cm_tspec_str(s, v, "brokers", BROKERS_MAX, &k->brokers)) != 0 ||
        (rc = check_brokers(s, k->brokers)) != 0) {
        return rc;
    }
    if ((v = cm_tspec_member(s, "topic")) == CM_JSON_NONE) {
        return cm_tspec_fail(s, "topic: missing (the topic to produce to)");
    }
    if ((rc = cm_tspec_str(s, v, "topic", TOPIC_MAX, &k->topic)) != 0 ||
        (rc = check_topic(s, k->topic)) != 0) {
        return rc;
    }
    if ((v = cm_tspec_member(s, "key")) != CM_JSON_NONE) {
        const char *key;
        size_t i = 0;

        if ((rc = cm_tspec_str(s, v, "key", 32, &key)) != 0) {
            return rc;
        }
        while (keys[i] != NULL && strcmp(keys[i], key) != 0) {
            i++;
        }
        if (keys[i] == NULL) {
            return cm_tspec_fail(s, "key: must be finding_id, finding_type, rule or none");
        }
        k->key = (enum key_kind)i;
    }
    if ((rc = cm_tspec_int(s, "timeout_seconds", 1, TIMEOUT_MAX, TIMEOUT_DEFAULT, &k->timeout)) !=
        0) {
        return rc;
    }
    if ((rc = cm_tspec_bool(s, "allow_link_local", false, &k->allow_link_local)) != 0) {
        return rc;
    }
    return cm_tspec_map(s, "properties", false, PROPERTY_MAX, &k->props, &k->nprops);
}

/*
 * What one delivery learns from librdkafka. Both callbacks run on the
 * delivering thread, inside rd_kafka_flush(): no lock is needed.
 */
struct outcome {
    bool reported;           /* the delivery report came */
    rd_kafka_resp_err_t err; /* its verdict */
    char broker_error[BROKER_ERROR_MAX];
};

static void on_report(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    struct outcome *o = opaque;

    (void)rk;
    o->reported = true;
    o->err = m->err;
}

static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    struct outcome *o = opaque;

    (void)rk, (void)err;
    cm_target_printable(o->broker_error, sizeof(o->broker_error), reason, strlen(reason));
}

/* librdkafka logs from its own threads to stderr by default: the outcome says it instead. */
static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk, (void)level, (void)fac, (void)buf;
}

/* Connects a broker socket unless the address is link-local or metadata (net_guard.h). */
static int on_connect(int fd, const struct sockaddr *addr, int addrlen, const char *id,
                      void *opaque)
{
    (void)id, (void)opaque;
    return cm_net_guard_connect(fd, addr, addrlen);
}

/*
 * The producer's configuration, with the callbacks that fill o (NULL: none,
 * for a configuration only checked); NULL with err set through s when it
 * cannot be made.
 */
static rd_kafka_conf_t *make_conf(struct cm_tspec *s, const struct kafka_spec *k, struct outcome *o)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();

    if (conf == NULL) {
        cm_tspec_fail(s, "librdkafka could not make a configuration");
        return NULL;
    }
    if (o != NULL) {
        rd_kafka_conf_set_opaque(conf, o);
        rd_kafka_conf_set_dr_msg_cb(conf, on_report);
        rd_kafka_conf_set_error_cb(conf, on_error);
        rd_kafka_conf_set_log_cb(conf, on_log);
        if (!k->allow_link_local) {
            rd_kafka_conf_set_connect_cb(conf, on_connect);
        }
    }
    if (fill_conf(s, k, conf) != 0) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    return conf;
}

static int kafka_check(const char *spec, size_t len, struct cm_buf *canon, char *err, size_t errlen)
{
    rd_kafka_conf_t *conf = NULL;
    struct kafka_spec k;
    struct cm_tspec s;
    struct cm_jw jw;
    int rc = cm_tspec_open(&s, "", spec, len, members, err, errlen);

    if (rc == 0) {
        rc = kafka_read(&s, &k);
    }
    if (rc == 0 && (conf = make_conf(&s, &k, NULL)) == NULL) {
        rc = CM_EINVAL; /* make_conf said why */
    }
    if (rc == 0 && canon != NULL) {
        size_t mark = canon->len;

        cm_jw_init(&jw, canon);
        cm_jw_obj_begin(&jw);
        cm_jw_key(&jw, "brokers");
        cm_jw_str(&jw, k.brokers);
        cm_jw_key(&jw, "topic");
        cm_jw_str(&jw, k.topic);
        cm_jw_key(&jw, "key");
        cm_jw_str(&jw, keys[k.key]);
        cm_jw_key(&jw, "timeout_seconds");
        cm_jw_i64(&jw, k.timeout);
        cm_tspec_jw_map(&jw, "properties", k.props, k.nprops);
        if (k.allow_link_local) {
            cm_jw_key(&jw, "allow_link_local");
            cm_jw_bool(&jw, true);
        }
        cm_jw_obj_end(&jw);
        rc = cm_tspec_canon_end(&s, &jw, canon, mark);
    }
    if (conf != NULL) {
        rd_kafka_conf_destroy(conf);
    }
    cm_tspec_close(&s);
    return rc;
}

/* ---- delivery ---- */

/* The message key the spec asks for, or NULL for none. */
static const char *key_of(const struct kafka_spec *k, const struct cm_target_ctx *ctx)
{
    switch (k->key) {
    case KEY_FINDING_ID:
        return ctx->finding_id;
    case KEY_FINDING_TYPE:
        return ctx->finding_type;
    case KEY_RULE:
        return ctx->rule;
    case KEY_NONE:
        break;
    }
    return NULL;
}

/* The coalmine-* headers; NULL when they cannot be made. */
static rd_kafka_headers_t *make_headers(const struct cm_target_ctx *ctx)
{
    rd_kafka_headers_t *h = rd_kafka_headers_new(5);
    char attempt[16];
    rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR_NO_ERROR;

    if (h == NULL) {
        return NULL;
    }
    snprintf(attempt, sizeof(attempt), "%u", ctx->attempt);
    e = rd_kafka_header_add(h, "content-type", -1,
                            ctx->text ? "text/plain; charset=utf-8" : "application/json", -1);
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
        e = rd_kafka_header_add(h, "coalmine-rule", -1, ctx->rule ? ctx->rule : "", -1);
    }
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
        e = rd_kafka_header_add(h, "coalmine-target", -1, ctx->target_id ? ctx->target_id : "", -1);
    }
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR && ctx->finding_id != NULL) {
        e = rd_kafka_header_add(h, "coalmine-finding-id", -1, ctx->finding_id, -1);
    }
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
        e = rd_kafka_header_add(h, "coalmine-attempt", -1, attempt, -1);
    }
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_headers_destroy(h);
        return NULL;
    }
    return h;
}

/* "kafka <topic>@<brokers>" for messages, printable and cut short. */
static void where(const struct kafka_spec *k, char *out, size_t outlen)
{
    char b[MSG_BROKERS_MAX + 4];
    size_t n = strlen(k->brokers);

    cm_target_printable(b, MSG_BROKERS_MAX + 1, k->brokers, n);
    if (n > MSG_BROKERS_MAX) {
        memcpy(b + MSG_BROKERS_MAX, "...", 4);
    }
    snprintf(out, outlen, "kafka %s@%s", k->topic, b);
}

/*
 * The verdict: 0 when the report says the broker has it, else CM_EIO with
 * err set. After a fatal error (the idempotent producer lost its id, say)
 * the message was only purged: the fatal error is the reason.
 */
static int judge(rd_kafka_t *rk, const struct outcome *o, const char *at, char *err, size_t errlen)
{
    char fatal[BROKER_ERROR_MAX] = "", shown[BROKER_ERROR_MAX];
    const char *why;

    if (o->reported && o->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        return 0;
    }
    /*
     * A report of a fatal error can come before rd_kafka_fatal_error() has the reason (seen
     * once, in a loaded ASan pass): it is waited for, up to a second.
     */
    for (int i = 0; i < FATAL_WAIT_POLLS && o->reported && o->err == RD_KAFKA_RESP_ERR__FATAL &&
                    rd_kafka_fatal_error(rk, fatal, sizeof(fatal)) == RD_KAFKA_RESP_ERR_NO_ERROR;
         i++) {
        (void)rd_kafka_poll(rk, 10);
    }
    if (rd_kafka_fatal_error(rk, fatal, sizeof(fatal)) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        cm_target_printable(shown, sizeof(shown), fatal, strlen(fatal));
        snprintf(err, errlen, "%s: fatal: %s", at, shown);
        return CM_EIO;
    }
    why = o->reported ? rd_kafka_err2str(o->err) : "no delivery report before the timeout";
    if (o->broker_error[0] != '\0') {
        snprintf(err, errlen, "%s: %s (last broker error: %s)", at, why, o->broker_error);
    } else {
        snprintf(err, errlen, "%s: %s", at, why);
    }
    return CM_EIO;
}

static int kafka_deliver(const char *spec, size_t len, const char *event, size_t evlen,
                         const struct cm_target_ctx *ctx, char *err, size_t errlen)
{
    char at[TOPIC_MAX + MSG_BROKERS_MAX + 16], why[512] = "";
    struct outcome o;
    struct kafka_spec k;
    struct cm_tspec s;
    rd_kafka_conf_t *conf = NULL;
    rd_kafka_headers_t *hdrs = NULL;
    rd_kafka_t *rk = NULL;
    rd_kafka_resp_err_t e;
    const char *key;
    size_t keylen;
    int rc;

    memset(&o, 0, sizeof(o));
    ctx = cm_target_ctx_or_empty(ctx);
    if ((rc = cm_tspec_open(&s, "kafka: bad spec: ", spec, len, members, err, errlen)) != 0 ||
        (rc = kafka_read(&s, &k)) != 0 || (conf = make_conf(&s, &k, &o)) == NULL) {
        rc = rc != 0 ? rc : CM_EINVAL;
        goto done;
    }
    where(&k, at, sizeof(at));
    /* rd_kafka_new takes conf when it succeeds; on failure conf is still ours. */
    if ((rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof(why))) == NULL) {
        char shown[sizeof(why)];

        cm_target_printable(shown, sizeof(shown), why, strlen(why));
        snprintf(err, errlen, "%s: librdkafka could not make a producer: %s", at, shown);
        rc = CM_EIO;
        goto done;
    }
    conf = NULL;
    if ((hdrs = make_headers(ctx)) == NULL) {
        snprintf(err, errlen, "%s: out of memory for the headers", at);
        rc = CM_ENOMEM;
        goto done;
    }
    key = key_of(&k, ctx);
    keylen = key != NULL ? strlen(key) : 0;
    e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(k.topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                          RD_KAFKA_V_VALUE((void *)(uintptr_t)event, evlen),
                          RD_KAFKA_V_KEY(key, keylen), RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END);
    if (e == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) {
        /* Refused here, before any broker saw it: the limit counts the key and headers too. */
        snprintf(err, errlen,
                 "%s: the event (%zu bytes, with its key and headers more) is over the "
                 "producer's message.max.bytes",
                 at, evlen);
        rc = CM_EINVAL;
        goto done;
    }
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(err, errlen, "%s: %s", at, rd_kafka_err2str(e));
        rc = CM_EIO;
        goto done;
    }
    hdrs = NULL; /* the message owns them now */
    (void)rd_kafka_flush(rk, (int)k.timeout * 1000 + FLUSH_SLACK_MS);
    rc = judge(rk, &o, at, err, errlen);
done:
    if (hdrs != NULL) {
        rd_kafka_headers_destroy(hdrs);
    }
    if (rk != NULL) {
        /* A message still queued (no report in time) must not hold up the destroy. */
        rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        rd_kafka_destroy(rk);
    }
    if (conf != NULL) {
        rd_kafka_conf_destroy(conf);
    }
    cm_tspec_close(&s);
    return rc;
}

const struct cm_target_kind cm_target_kafka = {
    .name = "kafka",
    .summary = "produce each event as a message to a Kafka topic (librdkafka, acks=all)",
    .check = kafka_check,
    .deliver = kafka_deliver,
};
