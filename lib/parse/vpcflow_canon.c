/*
 * The formats of header-less VPC flow log lines (CloudWatch Logs, Firehose), and which
 * one a line is (vpcflow_int.h). Private to lib/parse; no I/O.
 *
 * Without a header line a line is read by its number of fields: the default format's 14
 * (v2), or the "all fields" of a version, every field AWS defines up to it in the order of
 * its table (how the console's custom format lists them, how Elastic's integration reads
 * such lines): 21 (v3), 25 (v4), 29 (v5), 39 (v7), 40 (v8), 41 (v9) and 42 (v10). Such a
 * line is taken for all fields only when the fields whose values have a shape of their
 * own hold such values: a custom format of as many fields in another order needs
 * --flow-fields, and is rejected naming the first field out of place.
 */
#include "parse/parse.h"

#include <stdio.h>
#include <string.h>

#include "parse/flow_scan.h"
#include "parse/vpcflow_int.h"

#define CANON_COLS                                                                                 \
    {                                                                                              \
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,  \
            25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41                     \
    }
const struct cm_flow_format cm_flow_canon_fmt[CM_FLOW_NCANON] = {
    {DEFAULT_NCOLS, CANON_COLS, 1, 0},
    {21, CANON_COLS, 1, 0},
    {25, CANON_COLS, 1, 0},
    {29, CANON_COLS, 1, 0},
    {39, CANON_COLS, 1, 0},
    {40, CANON_COLS, 1, 0},
    {41, CANON_COLS, 1, 0},
    {42, CANON_COLS, 1, 0},
};
_Static_assert(CM_FF_COUNT == 42, "cm_flow_canon_fmt's last format is every field");

/*
 * The fields of AWS's order whose values have a shape of their own: a header-less line
 * of all fields has these there (or "-"), which a custom format of as many fields in
 * another order hardly has (gen's v5 custom format has 25 fields, as v4's all fields
 * do, and the same first 23: its flow-direction stands where sublocation-type would).
 */
static const char *const actions[] = {"ACCEPT", "REJECT", NULL};
static const char *const statuses[] = {"OK", "NODATA", "SKIPDATA", NULL};
static const char *const types[] = {"IPv4", "IPv6", "EFA", NULL};
static const char *const sublocations[] = {"wavelength", "outpost", "localzone", NULL};
static const char *const directions[] = {"ingress", "egress", NULL};
static const struct {
    uint8_t col;
    const char *const *vals;
    const char *pre;
    const char *what;
} canon_shapes[] = {
    {CM_FF_ACTION, actions, NULL, "an action"},
    {CM_FF_LOG_STATUS, statuses, NULL, "a log status"},
    {CM_FF_VPC_ID, NULL, "vpc-", "a VPC id"},
    {CM_FF_SUBNET_ID, NULL, "subnet-", "a subnet id"},
    {CM_FF_INSTANCE_ID, NULL, "i-", "an instance id"},
    {CM_FF_TYPE, types, NULL, "a traffic type"},
    {CM_FF_SUBLOCATION_TYPE, sublocations, NULL, "a sublocation type"},
    {CM_FF_FLOW_DIRECTION, directions, NULL, "a flow direction"},
    {CM_FF_ECS_CLUSTER_ARN, NULL, "arn:", "an ECS cluster ARN"},
};
#define NSHAPES (sizeof(canon_shapes) / sizeof(canon_shapes[0]))

/* Whether p[0, len) is "-" or one of vals (NULL-terminated), or starts with pre. */
static bool one_of(const char *p, size_t len, const char *const *vals, const char *pre)
{
    if (is_dash(p, len)) {
        return true;
    }
    for (size_t i = 0; vals != NULL && vals[i] != NULL; i++) {
        if (tok_is(p, len, vals[i], strlen(vals[i]))) {
            return true;
        }
    }
    return pre != NULL && len > strlen(pre) && memcmp(p, pre, strlen(pre)) == 0;
}

int cm_flow_canon_pick(const char *line, const struct cm_flow_tok *toks, int ntok, int *bad)
{
    for (int k = 0; k < CM_FLOW_NCANON; k++) {
        if (cm_flow_canon_fmt[k].ncols != ntok) {
            continue;
        }
        for (size_t i = 0; k > 0 && i < NSHAPES; i++) {
            int c = canon_shapes[i].col;
            if (c < ntok && !one_of(line + toks[c].off, toks[c].len, canon_shapes[i].vals,
                                    canon_shapes[i].pre)) {
                *bad = (int)i;
                return -2;
            }
        }
        return k;
    }
    return -1;
}

void cm_flow_canon_reason(char *out, size_t outlen, int ntok, int k, int bad)
{
    char counts[64] = "";
    size_t used = 0;

    if (k == -2 && bad >= 0 && (size_t)bad < NSHAPES) {
        snprintf(out, outlen,
                 "no header line and %d fields, not all fields in AWS's order (field %d is "
                 "not %s)",
                 ntok, canon_shapes[bad].col + 1, canon_shapes[bad].what);
        return;
    }
    for (int i = 1; i < CM_FLOW_NCANON && used < sizeof(counts); i++) {
        int w = snprintf(counts + used, sizeof(counts) - used, "%s%u",
                         i == 1                    ? ""
                         : i == CM_FLOW_NCANON - 1 ? " or "
                                                   : ", ",
                         cm_flow_canon_fmt[i].ncols);
        used += w > 0 ? (size_t)w : 0;
    }
    snprintf(out, outlen,
             "no header line and %s%d fields (the default format has %d; all fields of a "
             "version %s)",
             ntok > CM_FLOW_MAX_COLS ? "more than " : "",
             ntok > CM_FLOW_MAX_COLS ? CM_FLOW_MAX_COLS : ntok, DEFAULT_NCOLS, counts);
}
