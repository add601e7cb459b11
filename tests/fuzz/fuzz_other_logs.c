/*
 * libFuzzer target for the recognition of AWS logs coalmine does not read
 * (cm_parse_other_log, lib/parse/other_logs.c). For any input the answer
 * must be NULL or one of the module's names; asking twice for the same bytes
 * gives the same answer; the bytes copied into an exactly-sized heap buffer
 * (so ASan catches a read past the end) give the same answer; and the bytes
 * followed by more that could complete a match (a space, "net/", a digit ...)
 * that lie past len still give the same answer, so no matcher looks beyond
 * the length it is given even where the memory is readable. The source
 * after another log (cm_parse_source_after_other) is CloudTrail's or
 * Resolver's parser, or none.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse/parse.h"

/* Every name cm_parse_other_log returns (other_logs.c's table). */
static const char *const names[] = {
    "CloudTrail digest",
    "AWS Config",
    "Elastic Load Balancing access log",
    "Elastic Load Balancing connection log",
    "S3 server access log",
    "CloudFront access log",
    "AWS WAF log",
    "GuardDuty findings",
    "Route 53 public DNS query log",
    "Transit Gateway flow log",
};

/* Bytes put past the end of a copy: what would complete a cut match. */
static const char tail[] = " net/app/[01/\"Z1 :80 \n#Fields: date time x-edge-location "
                           "\"digestStartTime\"\"digestS3Object\"\"configurationItems\""
                           "\"formatVersion\"\"webaclId\"\"schemaVersion\"\"arn:aws:guardduty:";

/* Aborts naming the line of the check that failed. */
static void check_at(int cond, int line)
{
    if (!cond) {
        fprintf(stderr, "fuzz_other_logs.c:%d: check failed\n", line);
        abort();
    }
}
#define check(cond) check_at((cond), __LINE__)

static int known(const char *name)
{
    if (name == NULL) {
        return 1;
    }
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
        if (name == names[k] || strcmp(name, names[k]) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Same answer: both NULL, or the same name. */
static int same(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    const char *name, *again;
    char *copy;

    name = cm_parse_other_log(in, size);
    check(known(name));
    again = cm_parse_other_log(in, size);
    check(same(name, again));

    /* Exactly sized: a read past the end is a heap overflow ASan reports. */
    copy = malloc(size ? size : 1);
    check(copy != NULL);
    if (size > 0) {
        memcpy(copy, in, size);
    }
    check(same(name, cm_parse_other_log(copy, size)));
    /* A source after it: CloudTrail's or Resolver's parser, or none. */
    {
        const struct cm_parser *ps = cm_parse_source_after_other(copy, size);
        check(ps == NULL || ps == &cm_parser_cloudtrail || ps == &cm_parser_dns);
    }
    free(copy);

    /* Readable bytes past the end that would complete a match must not count. */
    copy = malloc(size + sizeof(tail));
    check(copy != NULL);
    if (size > 0) {
        memcpy(copy, in, size);
    }
    memcpy(copy + size, tail, sizeof(tail));
    check(same(name, cm_parse_other_log(copy, size)));
    free(copy);
    return 0;
}
