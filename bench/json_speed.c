/*
 * JSON reader throughput: reads one file, parses it N times with
 * cm_json_parse into a reused document, and prints MB/s (10^6 bytes per
 * second) for the best and the mean run, plus the node count. The best run
 * by thread CPU time is printed too: on a busy machine it is the steadier
 * figure, since time spent descheduled does not count.
 *
 *   json_speed FILE [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "base/alloc.h"
#include "base/json.h"

static double now_sec(clockid_t clk)
{
    struct timespec ts;

    clock_gettime(clk, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long sz;

    if (f == NULL) {
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        goto out;
    }
    buf = cm_malloc((size_t)sz);
    if (buf != NULL && fread(buf, 1, (size_t)sz, f) != (size_t)sz) {
        cm_free(buf);
        buf = NULL;
    }
    *len = (size_t)sz;
out:
    fclose(f);
    return buf;
}

int main(int argc, char **argv)
{
    struct cm_json_doc doc;
    struct cm_diag diag;
    size_t len = 0;
    char *src;
    long runs = argc > 2 ? strtol(argv[2], NULL, 10) : 10;
    int rc = 0;
    double best = 1e30, best_cpu = 1e30, total = 0;

    if (argc < 2 || runs < 1 || runs > 100000) {
        fprintf(stderr, "usage: json_speed FILE [N]\n");
        return 2;
    }
    src = read_file(argv[1], &len);
    if (src == NULL) {
        fprintf(stderr, "json_speed: cannot read %s\n", argv[1]);
        return 1;
    }
    cm_json_doc_init(&doc, 0, 0);
    for (long r = 0; r <= runs; r++) {
        double t0 = now_sec(CLOCK_MONOTONIC), c0 = now_sec(CLOCK_THREAD_CPUTIME_ID), dt, dc;
        rc = cm_json_parse(&doc, src, len, &diag);
        dt = now_sec(CLOCK_MONOTONIC) - t0;
        dc = now_sec(CLOCK_THREAD_CPUTIME_ID) - c0;
        if (rc != 0) {
            fprintf(stderr, "json_speed: parse error %d at %zu: %s\n", rc, diag.offset, diag.msg);
            break;
        }
        if (r == 0) {
            continue; /* warm-up: grows the tape once */
        }
        total += dt;
        if (dt < best) {
            best = dt;
        }
        if (dc < best_cpu) {
            best_cpu = dc;
        }
    }
    if (rc == 0) {
        printf("%s: %zu bytes, %u nodes, best %.0f MB/s (cpu time: %.0f MB/s), mean %.0f MB/s "
               "over %ld runs\n",
               argv[1], len, doc.n, (double)len / best / 1e6, (double)len / best_cpu / 1e6,
               (double)len * runs / total / 1e6, runs);
    }
    cm_json_doc_finish(&doc);
    cm_free(src);
    return rc == 0 ? 0 : 1;
}
