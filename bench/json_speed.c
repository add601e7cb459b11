/*
 * JSON reader throughput: reads one file, parses it N times with
 * cm_json_parse into a reused document, and prints MB/s (10^6 bytes per
 * second) for the best and the mean run, plus the node count.
 *
 *   json_speed FILE [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "base/alloc.h"
#include "base/json.h"

static double now_sec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
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
    int runs = argc > 2 ? atoi(argv[2]) : 10, rc = 0;
    double best = 1e30, total = 0;

    if (argc < 2 || runs < 1) {
        fprintf(stderr, "usage: json_speed FILE [N]\n");
        return 2;
    }
    src = read_file(argv[1], &len);
    if (src == NULL) {
        fprintf(stderr, "json_speed: cannot read %s\n", argv[1]);
        return 1;
    }
    cm_json_doc_init(&doc, 0, 0);
    for (int r = 0; r <= runs; r++) {
        double t0 = now_sec(), dt;
        rc = cm_json_parse(&doc, src, len, &diag);
        dt = now_sec() - t0;
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
    }
    if (rc == 0) {
        printf("%s: %zu bytes, %u nodes, best %.0f MB/s, mean %.0f MB/s over %d runs\n", argv[1],
               len, doc.n, (double)len / best / 1e6, (double)len * runs / total / 1e6, runs);
    }
    cm_json_doc_finish(&doc);
    cm_free(src);
    return rc == 0 ? 0 : 1;
}
