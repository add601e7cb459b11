/*
 * kafka-mock: a Kafka cluster on 127.0.0.1 for the integration tests, and
 * a consumer that writes what reaches it. It runs librdkafka's mock cluster
 * (the Kafka protocol over real sockets, in this process), creates one
 * topic, writes the bootstrap servers ("127.0.0.1:PORT") to --ready FILE,
 * then reads every partition from the start and writes one JSON line per
 * message to stdout:
 *
 *   {"partition":0,"offset":3,"key":"a1b2"|null,
 *    "headers":[["content-type","application/json"],...],"value":"<the bytes>"}
 *
 * It exits 0 after --expect N messages and --linger SECONDS more without a
 * new one (so a duplicate shows), or 1 when --timeout SECONDS pass first.
 *
 *   kafka-mock --topic findings [--partitions 3] --ready FILE --expect N
 *              [--linger 1] [--timeout 60]
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct opts {
    const char *topic;
    const char *ready;
    int partitions;
    long expect;
    double linger;
    double timeout;
};

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void quiet(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk, (void)level, (void)fac, (void)buf;
}

/* p[0..n) as a JSON string. */
static void put_json_str(const void *p, size_t n)
{
    const unsigned char *s = p;

    putchar('"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"' || s[i] == '\\') {
            printf("\\%c", s[i]);
        } else if (s[i] < 0x20) {
            printf("\\u%04x", s[i]);
        } else {
            putchar(s[i]);
        }
    }
    putchar('"');
}

static void put_message(const rd_kafka_message_t *m)
{
    rd_kafka_headers_t *h = NULL;
    const char *name;
    const void *val;
    size_t size;

    printf("{\"partition\":%d,\"offset\":%lld,\"key\":", (int)m->partition, (long long)m->offset);
    if (m->key != NULL) {
        put_json_str(m->key, m->key_len);
    } else {
        fputs("null", stdout);
    }
    fputs(",\"headers\":[", stdout);
    if (rd_kafka_message_headers(m, &h) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        for (size_t i = 0; rd_kafka_header_get_all(h, i, &name, &val, &size) == 0; i++) {
            printf("%s[", i ? "," : "");
            put_json_str(name, strlen(name));
            putchar(',');
            put_json_str(val != NULL ? val : "", val != NULL ? size : 0);
            putchar(']');
        }
    }
    fputs("],\"value\":", stdout);
    put_json_str(m->payload != NULL ? m->payload : "", m->payload != NULL ? m->len : 0);
    puts("}");
    fflush(stdout);
}

static int parse(int argc, char **argv, struct opts *o)
{
    o->partitions = 3;
    o->expect = -1;
    o->linger = 1;
    o->timeout = 60;
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *a = argv[i], *v = argv[i + 1];

        if (strcmp(a, "--topic") == 0) {
            o->topic = v;
        } else if (strcmp(a, "--ready") == 0) {
            o->ready = v;
        } else if (strcmp(a, "--partitions") == 0) {
            o->partitions = atoi(v);
        } else if (strcmp(a, "--expect") == 0) {
            o->expect = atol(v);
        } else if (strcmp(a, "--linger") == 0) {
            o->linger = atof(v);
        } else if (strcmp(a, "--timeout") == 0) {
            o->timeout = atof(v);
        } else {
            return -1;
        }
    }
    return argc % 2 == 1 && o->topic != NULL && o->ready != NULL && o->expect >= 0 &&
                   o->partitions >= 1 && o->partitions <= 64
               ? 0
               : -1;
}

/* Writes the bootstraps to o->ready (a temporary name, then renamed: never half a line). */
static int announce(const struct opts *o, const char *bootstraps)
{
    char tmp[4096];
    FILE *f;

    snprintf(tmp, sizeof(tmp), "%s.tmp", o->ready);
    if ((f = fopen(tmp, "w")) == NULL || fprintf(f, "%s\n", bootstraps) < 0 || fclose(f) != 0) {
        return -1;
    }
    return rename(tmp, o->ready);
}

/* A consumer reading every partition of the topic from its first message. */
static rd_kafka_t *consumer(const struct opts *o, const char *bootstraps)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_topic_partition_list_t *parts;
    char why[512];
    rd_kafka_t *rk;

    rd_kafka_conf_set_log_cb(conf, quiet);
    if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps, why, sizeof(why)) ||
        rd_kafka_conf_set(conf, "group.id", "kafka-mock", why, sizeof(why)) ||
        rd_kafka_conf_set(conf, "enable.partition.eof", "false", why, sizeof(why))) {
        fprintf(stderr, "kafka-mock: %s\n", why);
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    if ((rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof(why))) == NULL) {
        fprintf(stderr, "kafka-mock: consumer: %s\n", why);
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    parts = rd_kafka_topic_partition_list_new(o->partitions);
    for (int p = 0; p < o->partitions; p++) {
        rd_kafka_topic_partition_list_add(parts, o->topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    }
    if (rd_kafka_assign(rk, parts) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fprintf(stderr, "kafka-mock: cannot assign the partitions\n");
        rd_kafka_topic_partition_list_destroy(parts);
        rd_kafka_destroy(rk);
        return NULL;
    }
    rd_kafka_topic_partition_list_destroy(parts);
    return rk;
}

int main(int argc, char **argv)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_mock_cluster_t *mc = NULL;
    rd_kafka_t *host = NULL, *rk = NULL;
    double start = now_s(), last = 0;
    long got = 0;
    struct opts o = {0};
    char why[512];
    int rc = 1;

    if (parse(argc, argv, &o) != 0) {
        fprintf(stderr, "usage: kafka-mock --topic T [--partitions N] --ready FILE --expect N "
                        "[--linger S] [--timeout S]\n");
        rd_kafka_conf_destroy(conf);
        return 2;
    }
    rd_kafka_conf_set_log_cb(conf, quiet);
    /* The mock cluster lives in a client instance: this one does nothing else. */
    if ((host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof(why))) == NULL) {
        rd_kafka_conf_destroy(conf); /* still ours when rd_kafka_new fails */
        fprintf(stderr, "kafka-mock: %s\n", why);
        goto done;
    }
    if ((mc = rd_kafka_mock_cluster_new(host, 1)) == NULL ||
        rd_kafka_mock_topic_create(mc, o.topic, o.partitions, 1) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fprintf(stderr, "kafka-mock: cannot start the mock cluster\n");
        goto done;
    }
    if ((rk = consumer(&o, rd_kafka_mock_cluster_bootstraps(mc))) == NULL) {
        goto done;
    }
    if (announce(&o, rd_kafka_mock_cluster_bootstraps(mc)) != 0) {
        fprintf(stderr, "kafka-mock: cannot write %s\n", o.ready);
        goto done;
    }
    for (;;) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        double t = now_s();

        if (m != NULL) {
            if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
                put_message(m);
                got++;
                last = t;
            }
            rd_kafka_message_destroy(m);
        }
        if (got >= o.expect && (o.expect == 0 ? t - start : t - last) >= o.linger) {
            rc = 0;
            break;
        }
        if (t - start >= o.timeout) {
            fprintf(stderr, "kafka-mock: %ld of %ld messages after %.0f s\n", got, o.expect,
                    o.timeout);
            break;
        }
    }
done:
    if (rk != NULL) {
        rd_kafka_consumer_close(rk);
        rd_kafka_destroy(rk);
    }
    if (mc != NULL) {
        rd_kafka_mock_cluster_destroy(mc);
    }
    if (host != NULL) {
        rd_kafka_destroy(host);
    }
    return rc;
}
