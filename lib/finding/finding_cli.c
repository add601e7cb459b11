/*
 * The CLI form of a finding: what `aws guardduty get-findings` prints for it.
 * botocore parses GuardDuty's response (the API form: each member under its
 * model locationName, camelCase) into the model's member names, and the aws
 * CLI prints those: PascalCase. For every member coalmine writes the member
 * name is the locationName with its first letter upper-cased, but for four
 * (GuardDuty API model 2017-11-28):
 *
 *   productCodes[].productCodeId / productCodeType  ->  Code / ProductType
 *   sequence endpoints[].location.lat / lon         ->  Latitude / Longitude
 *                                                        (remoteIpDetails.geoLocation's
 *                                                        stay Lat / Lon)
 *   sequence actors[].user.account.account          ->  Name
 *
 * and a map's keys are data, not member names: affectedResources is copied as
 * it is. additionalInfo.value stays the JSON text it is. Timestamps are left
 * as the API form has them, as the aws CLI v1 prints them by default
 * (cli_timestamp_format none).
 */
#include "finding/serialize.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"

#define CLI_KEY_MAX 128

/* The member name of key in an object reached through member parent ("" at the top). */
static void member_name(struct cm_str parent, struct cm_str key, char *out, size_t outlen)
{
    static const struct {
        const char *parent, *key, *name;
    } special[] = {
        {"productCodes", "productCodeId", "Code"},
        {"productCodes", "productCodeType", "ProductType"},
        {"location", "lat", "Latitude"},
        {"location", "lon", "Longitude"},
        {"account", "account", "Name"},
    };
    size_t n = key.len < outlen - 1 ? key.len : outlen - 1;

    for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++) {
        if (cm_str_eqc(parent, special[i].parent) && cm_str_eqc(key, special[i].key)) {
            snprintf(out, outlen, "%s", special[i].name);
            return;
        }
    }
    memcpy(out, key.p, n);
    out[n] = '\0';
    if (out[0] >= 'a' && out[0] <= 'z') {
        out[0] = (char)(out[0] - 'a' + 'A');
    }
}

/* Writes node i of d, reached through member parent, with member names renamed. */
static int write_node(struct cm_jw *jw, const struct cm_json_doc *d, uint32_t i,
                      struct cm_str parent, struct cm_arena *arena)
{
    int rc = 0;

    switch (cm_json_type(d, i)) {
    case CM_JSON_OBJECT:
        if (cm_str_eqc(parent, "affectedResources")) {
            cm_jw_node(jw, d, i); /* a map: its keys are data */
            return 0;
        }
        cm_jw_obj_begin(jw);
        for (uint32_t k = cm_json_first(d, i); k != CM_JSON_NONE && rc == 0;
             k = cm_json_next(d, i, k + 1)) {
            struct cm_str key = cm_json_str(d, k, arena);
            char name[CLI_KEY_MAX];
            if (key.p == NULL) {
                return CM_ENOMEM;
            }
            member_name(parent, key, name, sizeof(name));
            cm_jw_key(jw, name);
            rc = write_node(jw, d, k + 1, key, arena);
        }
        cm_jw_obj_end(jw);
        return rc;
    case CM_JSON_ARRAY:
        cm_jw_arr_begin(jw);
        /* The elements of a list are reached through the list's member. */
        for (uint32_t e = cm_json_first(d, i); e != CM_JSON_NONE && rc == 0;
             e = cm_json_next(d, i, e)) {
            rc = write_node(jw, d, e, parent, arena);
        }
        cm_jw_arr_end(jw);
        return rc;
    default:
        cm_jw_node(jw, d, i);
        return 0;
    }
}

int cm_finding_api_to_cli(struct cm_jw *jw, const char *json, size_t len)
{
    struct cm_json_doc doc;
    struct cm_arena arena;
    int rc;

    cm_json_doc_init(&doc, 0, 0);
    cm_arena_init(&arena, 4096, 0);
    rc = cm_json_parse(&doc, json, len, NULL);
    rc = rc ? rc : write_node(jw, &doc, 0, cm_str_make("", 0), &arena);
    cm_arena_finish(&arena);
    cm_json_doc_finish(&doc);
    return rc;
}

int cm_finding_write_cli(struct cm_jw *jw, const struct cm_finding *f)
{
    struct cm_buf api;
    int rc;

    cm_buf_init(&api, 0);
    rc = cm_finding_to_json(f, CM_FORM_API, &api);
    rc = rc ? rc : cm_finding_api_to_cli(jw, api.p, api.len);
    cm_buf_finish(&api);
    return rc;
}

int cm_finding_to_cli(const struct cm_finding *f, struct cm_buf *out)
{
    struct cm_jw jw;
    size_t len0 = out->len;
    int rc;

    cm_jw_init(&jw, out);
    rc = cm_finding_write_cli(&jw, f);
    if (rc != 0) {
        jw.err = rc; /* cut back what was written as a writer's error is */
    }
    return cm_finding_jw_end(&jw, len0);
}
