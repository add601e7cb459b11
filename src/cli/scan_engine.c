/*
 * The engine a scan runs (scan_engine.h): setup shared by scan, scan --follow and serve.
 */
#include "cli/scan_engine.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "event/event.h"
#include "finding/aggregate.h"
#include "intel/snapshot.h"

/* The aggregator's cap and seed, as every scan makes it. */
#define AGG_MAX  1000000
#define AGG_SEED 0x636f616c6d696e65ULL

void cm_scan_engine_init(struct cm_scan_engine *e)
{
    memset(e, 0, sizeof(*e));
    cm_config_init(&e->config);
    e->cli.out = stdout;
    e->cli.fmt = CM_OUT_TABLE;
    e->cli.ctx.detector_id = CM_DEFAULT_DETECTOR_ID;
    e->cli.ctx.now_ms = 0; /* createdAt/updatedAt from event time: same input, same output */
}

int cm_scan_engine_option(struct cm_scan_engine *e, int code, const char *arg, char *err,
                          size_t errlen)
{
    switch (code) {
    case CM_SCAN_OPT_THREAT_LIST:
    case CM_SCAN_OPT_TRUSTED_LIST:
    case CM_SCAN_OPT_INTEL_LIST:
    case CM_SCAN_OPT_INTEL_DIR:
    case CM_SCAN_OPT_NO_DEFAULT_INTEL:
    case CM_SCAN_OPT_GEOIP:
        return cm_scan_intel_option(&e->intel, code, arg, err, errlen) != 0 ? CM_SCAN_ENGINE_USAGE
                                                                            : CM_SCAN_ENGINE_TAKEN;
    case CM_SCAN_OPT_INVENTORY:
        return cm_scan_inventory_option(&e->inv, arg, err, errlen) != 0 ? CM_SCAN_ENGINE_FAILED
                                                                        : CM_SCAN_ENGINE_TAKEN;
    case CM_SCAN_OPT_REGION:
        if (!cm_region_shape_ok(cm_str_cstr(arg))) {
            snprintf(err, errlen, "--region '%s' is not a region name like us-east-1", arg);
            return CM_SCAN_ENGINE_USAGE;
        }
        e->o.default_region = arg;
        return CM_SCAN_ENGINE_TAKEN;
    case CM_SCAN_OPT_STATE:
    case CM_SCAN_OPT_FINAL:
    case CM_SCAN_OPT_REREAD:
        cm_scan_state_option(&e->state, code, arg);
        return CM_SCAN_ENGINE_TAKEN;
    case CM_SCAN_OPT_CANARY_KEY:
    case CM_SCAN_OPT_AWS_RANGES:
    case CM_SCAN_OPT_DGA_MODEL:
    case CM_SCAN_OPT_FLOW_FIELDS:
    case CM_SCAN_OPT_CUSTOM_RULE:
        return cm_scan_detect_option(&e->det, code, arg, err, errlen) != 0 ? CM_SCAN_ENGINE_USAGE
                                                                           : CM_SCAN_ENGINE_TAKEN;
    default:
        return CM_SCAN_ENGINE_NOT_MINE;
    }
}

int cm_scan_engine_config(struct cm_scan_engine *e, const char *path, struct cm_scan_cli_set *set,
                          char *err, size_t errlen)
{
    int rc;

    if ((rc = cm_config_load(&e->config, path, err, errlen)) != 0 ||
        (rc = cm_scan_config_apply(&e->config, &e->intel, &e->det, set, err, errlen)) != 0) {
        return rc;
    }
    for (size_t i = 0; i < e->config.inventory.n; i++) {
        if ((rc = cm_scan_inventory_option(&e->inv, e->config.inventory.v[i], err, errlen)) != 0) {
            return rc;
        }
    }
    return 0;
}

int cm_scan_engine_open(struct cm_scan_engine *e, const struct cm_scan_engine_store *s, int quiet,
                        char *err, size_t errlen)
{
    struct cm_scan_findings *cli = &e->cli;
    int rc;

    if (cm_agg_create(&cli->agg, AGG_MAX, AGG_SEED) != 0) {
        snprintf(err, errlen, "out of memory");
        return CM_ENOMEM;
    }
    e->intel.store_path = s->db_path; /* its ACTIVE API lists (docs/api-write.md) */
    if ((rc = cm_scan_intel_open(&e->intel, quiet, err, errlen)) != 0) {
        return rc;
    }
    e->dcfg.intel = e->intel.snap;
    if ((rc = cm_scan_detect_open(&e->det, e->intel.geo, &e->dcfg, quiet, err, errlen)) != 0 ||
        (rc = cm_scan_inventory_open(&e->inv, &e->dcfg, &e->o, quiet, err, errlen)) != 0) {
        return rc;
    }
    cli->intel = e->intel.snap;
    cli->state = &e->state;
    cli->ctx.instance_owner = cm_scan_findings_owner;
    cli->ctx.owner_ud = e->inv.inv;
    e->o.detect.config = &e->dcfg;
    e->o.flow_fields = e->det.flow_fields.known ? &e->det.flow_fields : NULL;
    if ((rc = cm_scan_state_open(&e->state, &e->o, quiet, err, errlen)) != 0) {
        return rc;
    }
    if (s->db_path == NULL) {
        return 0;
    }
    if ((rc = cm_store_open(&e->store, s->db_path, CM_STORE_CREATE, err, errlen)) != 0 ||
        (s->retention_days >= 0 &&
         (rc = cm_store_set_retention(e->store, s->retention_days, err, errlen)) != 0) ||
        (s->set_freq && (rc = cm_store_set_publish_freq(e->store, s->freq, err, errlen)) != 0)) {
        return rc;
    }
    if (s->no_route) {
        cm_store_set_publish(e->store, false);
    }
    /*
     * With --state, the findings' commit is on disk before the state file that remembers
     * their files as read is: with the store's synchronous=NORMAL it was not (the WAL is
     * synced at checkpoints), and a power loss after the state was renamed into place lost
     * the findings while the next scan left their files out.
     */
    if (e->state.path != NULL && !e->state.final) {
        char why[400];

        if ((rc = cm_store_set_durable(e->store, why, sizeof(why))) != 0) {
            snprintf(err, errlen, "%s: %s", s->db_path, why);
            return rc;
        }
    }
    return 0;
}

int cm_scan_engine_reload_intel(struct cm_scan_engine *e, char *err, size_t errlen)
{
    struct cm_intel_snapshot *old = NULL;
    int rc = cm_scan_intel_reload(&e->intel, &old, err, errlen);

    if (rc != 0) {
        return rc;
    }
    e->dcfg.intel = e->intel.snap;
    e->cli.intel = e->intel.snap;
    cm_intel_snapshot_unref(old);
    return 0;
}

void cm_scan_engine_close(struct cm_scan_engine *e)
{
    cm_store_close(e->store);
    e->store = NULL;
    cm_free(e->cli.puts);
    e->cli.puts = NULL;
    cm_free(e->cli.order);
    e->cli.order = NULL;
    cm_agg_destroy(e->cli.agg);
    e->cli.agg = NULL;
    cm_scan_intel_close(&e->intel);
    cm_scan_detect_close(&e->det);
    cm_scan_inventory_close(&e->inv);
    cm_scan_state_close(&e->state);
    cm_config_finish(&e->config);
}
