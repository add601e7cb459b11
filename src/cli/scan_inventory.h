/*
 * The instance map of `coalmine scan` (issue #6, "Instance mapping"):
 * --inventory FILE (repeatable; describe-instances or
 * describe-network-interfaces JSON, plain or gzip)
 * and the CloudTrail records of the scan itself fill one struct
 * cm_inventory (lib/inventory/inventory.h), which names the instance of
 * every Instance finding after the scan.
 *
 * Threads. The scan's shards run on several threads and each may see
 * CloudTrail; they all feed the one inventory through
 * cm_detector_inventory_ct, so the inventory gets a mutex as its lock hooks
 * here (lib/ keeps no locks). The detector reaches it through
 * struct cm_detect_config.inventory. When the built-in detector table does
 * not list cm_detector_inventory_ct, cm_scan_inventory_open() points the
 * scan at a copy of the table with it appended.
 *
 * Enrichment runs on the finished findings, after the scan (like the geo
 * enrichment), so it does not matter in which shard or in which order
 * CloudTrail and flow records came.
 */
#ifndef CM_CLI_SCAN_INVENTORY_H
#define CM_CLI_SCAN_INVENTORY_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/scan.h"
#include "detect/detect.h"
#include "finding/aggregate.h"
#include "inventory/inventory.h"

/* getopt code (long option only), after scan_detect.h's. */
enum { CM_SCAN_OPT_INVENTORY = 0x160 };

/* Bad entries shown in full per file; the rest are counted. */
#define CM_SCAN_INVENTORY_SHOW_BAD 5

struct cm_scan_inventory {
    char **paths; /* --inventory files, owned copies */
    size_t n, cap;
    struct cm_inventory *inv;
    pthread_mutex_t mu;
    bool have_mu;
    const struct cm_detector **table; /* built-in table + the CloudTrail feed; NULL: not needed */
    uint64_t enriched;                /* Instance findings the map named or filled */
    uint64_t unknown;                 /* Instance findings it knew nothing of */
    uint64_t services;                /* findings dropped: about a service's interface */
};

/* Adds an --inventory file. Returns 0 or CM_ENOMEM (err says so). */
int cm_scan_inventory_option(struct cm_scan_inventory *si, const char *path, char *err,
                             size_t errlen);

/*
 * Makes the inventory, loads the files (bad entries reported on stderr
 * unless quiet, the first few in full), sets cfg->inventory and, when
 * needed, o->detectors. Returns 0, or an error with err naming the file
 * (unreadable, or not describe-instances or describe-network-interfaces output).
 */
int cm_scan_inventory_open(struct cm_scan_inventory *si, struct cm_detect_config *cfg,
                           struct cm_scan_opts *o, bool quiet, char *err, size_t errlen);

/*
 * Fills the instance details of every finding of agg, and drops from
 * order[0..*n) (indexes into agg) the Instance findings whose only resource
 * is an interface the inventory knows to be no instance's (a NAT gateway's,
 * a load balancer's, ...: cm_inventory_service), as GuardDuty, whose flow
 * and DNS findings are about EC2 instances, has none of them; *n becomes
 * the number kept. Only with --inventory files: without any, nothing is
 * dropped, even when the scan's CloudTrail (CreateNatGateway,
 * CreateNetworkInterface) marked interfaces. Returns 0 or CM_ENOMEM.
 */
int cm_scan_inventory_enrich(struct cm_scan_inventory *si, struct cm_agg *agg, size_t *order,
                             size_t *n);

/* One summary line on stderr (what the map held, what it named). */
void cm_scan_inventory_summary(const struct cm_scan_inventory *si);

/* Frees everything; idempotent. */
void cm_scan_inventory_close(struct cm_scan_inventory *si);

#endif
