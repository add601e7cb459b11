/*
 * libFuzzer target for lib/intel/awsranges.c: the input is an ip-ranges.json
 * candidate. Whatever it is, parsing must return 0 or CM_EINVAL/CM_E2BIG
 * (never crash, never leak), every bad entry must come with a line inside
 * the input and a reason, and a parsed set must answer consistently: for a
 * few addresses taken from the input's bytes (and the first address of
 * every claim found), lookup() agrees with the first claim of lookup_all(),
 * every claim's network contains the address, and claims come most
 * specific first.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/ip.h"
#include "intel/awsranges.h"

#define MAX_CLAIMS 64

struct ctx {
    size_t lines; /* newlines in the input + 1 */
    size_t bad;
};

static void check(int cond)
{
    if (!cond) {
        abort();
    }
}

static void on_bad(void *ud, uint32_t line, const char *reason)
{
    struct ctx *c = ud;

    check(line >= 1 && line <= c->lines);
    check(reason != NULL && reason[0] != '\0');
    c->bad++;
}

static void probe(const struct cm_awsranges *r, const struct cm_ip *ip)
{
    struct cm_aws_claim one, all[MAX_CLAIMS];
    bool in = cm_awsranges_lookup(r, ip, &one);
    size_t n = cm_awsranges_lookup_all(r, ip, all, MAX_CLAIMS);

    check(in == (n > 0));
    if (n > MAX_CLAIMS) {
        n = MAX_CLAIMS;
    }
    for (size_t i = 0; i < n; i++) {
        struct cm_ip q = *ip;

        check(all[i].service.len > 0 && all[i].region.len > 0);
        check(i == 0 || all[i].prefix <= all[i - 1].prefix);
        if (q.family == CM_IP_V6 && all[i].net.family == CM_IP_V4) {
            /* a mapped address matched an IPv4 network */
            memmove(q.a, q.a + 12, 4);
            memset(q.a + 4, 0, 12);
            q.family = CM_IP_V4;
        }
        check(cm_ip_in_cidr(&q, &all[i].net, all[i].prefix));
    }
    if (in) {
        check(one.prefix == all[0].prefix && cm_ip_eq(&one.net, &all[0].net));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ctx c = {1, 0};
    struct cm_awsranges_report rep = {on_bad, &c};
    struct cm_awsranges *r = NULL;
    struct cm_aws_claim all[MAX_CLAIMS];
    struct cm_diag diag;
    int rc;

    for (size_t i = 0; i < size; i++) {
        c.lines += data[i] == '\n';
    }
    rc = cm_awsranges_parse(&r, (const char *)data, size, 0x1234, &rep, &diag);
    if (rc != 0) {
        check(rc == CM_EINVAL || rc == CM_E2BIG || rc == CM_ENOMEM);
        check(r == NULL);
        return 0;
    }
    check(cm_awsranges_skipped(r) == c.bad);
    check(cm_awsranges_prefixes(r) <= cm_awsranges_loaded(r));
    check(cm_awsranges_pairs(r) <= cm_awsranges_loaded(r));
    /* Addresses from the input's bytes. */
    for (size_t off = 0; off + 16 <= size && off < 256; off += 16) {
        struct cm_ip v4 = {CM_IP_V4, {0}}, v6 = {CM_IP_V6, {0}};

        memcpy(v4.a, data + off, 4);
        memcpy(v6.a, data + off, 16);
        probe(r, &v4);
        probe(r, &v6);
    }
    /* The network address of every claim on a few fixed addresses. */
    {
        static const char *const probes[] = {"52.1.2.3", "3.0.5.33", "2600:1f18::1", "::"};

        for (size_t p = 0; p < sizeof(probes) / sizeof(probes[0]); p++) {
            struct cm_ip ip;
            size_t n;

            check(cm_ip_parse(cm_str_cstr(probes[p]), &ip) == 0);
            n = cm_awsranges_lookup_all(r, &ip, all, MAX_CLAIMS);
            for (size_t i = 0; i < n && i < MAX_CLAIMS; i++) {
                probe(r, &all[i].net);
            }
            probe(r, &ip);
        }
    }
    cm_awsranges_destroy(r);
    return 0;
}
