/*
 * The configuration file, coalmine.yaml (docs/config.md is the user's
 * reference): intel lists, canary keys, detector settings and the store.
 *
 * The loader is strict. Every key is optional, but an unknown key, a value of
 * the wrong type, a number out of range or a malformed canary key is an error
 * that names the place ("coalmine.yaml:12:5: canaries.keys[1]: not an access
 * key id: \"xyz\""), and nothing of the file is taken. YAML features that
 * make a file mean something other than what it shows are refused: anchors
 * and aliases, tags (!!str, %TAG), and a second document. The file is read
 * whole, at most CM_CONFIG_MAX_BYTES; the schema nests three levels, and
 * anything deeper is an error at the first node past it.
 *
 * Scalars: true/false (plain), decimal integers (plain, no sign but '-', no
 * leading zeros, no overflow), and strings (plain or quoted). A null value
 * ("key:", "~", "null") leaves a section or a list empty and is an error
 * anywhere else.
 *
 * Paths (list files, intel.dir, intel.geoip, intel.aws_ranges, store.db)
 * that are relative are resolved against base_dir, the directory of the
 * config file, so the file means the same thing from any working directory.
 * Nothing here opens those files: the caller does, and reports what fails.
 *
 * Ownership: everything in struct cm_config is owned by it and freed by
 * cm_config_finish(). The strings stay valid until then, so the command
 * line code may borrow them (cm_scan_intel_option() keeps its argument).
 *
 * Wiring into `coalmine scan` (the command line adds to lists, overrides
 * scalars; the option codes are scan_intel.h's and scan_detect.h's):
 *   intel.threat_lists[i]   cm_scan_intel_option(CM_SCAN_OPT_THREAT_LIST, s)
 *   intel.trusted_lists[i]  ... CM_SCAN_OPT_TRUSTED_LIST
 *   intel.lists[i]          ... CM_SCAN_OPT_INTEL_LIST
 *   intel.dir               ... CM_SCAN_OPT_INTEL_DIR, unless --intel-dir
 *   !intel.use_default      ... CM_SCAN_OPT_NO_DEFAULT_INTEL
 *   intel.geoip[i]          ... CM_SCAN_OPT_GEOIP, after the command line's
 *   intel.aws_ranges        cm_scan_detect_option(CM_SCAN_OPT_AWS_RANGES), unless --aws-ranges
 *   canaries.keys[i]        cm_scan_detect_add_canary(), with --canary-key's
 *   canaries.checks[i]      cm_canary_reconcile() (serve, canary tick --config)
 *   detectors.console_login, .credential_exfiltration, .api_anomaly
 *                           struct cm_ct_tuning where not 0 (window_hours * 3600000 ms)
 *   detectors.vpcflow.*     struct cm_flow_tunings where not 0 (cm_scan_config_apply)
 *   detectors.dns.*         struct cm_dns_tunings where not 0; dga_model as --dga-model
 *   detectors.custom_rules.modes[i]  cm_scan_custom_add(), before --custom-rule's (which win)
 *   inventory[i]            cm_scan_inventory_option(), with --inventory's
 *   store.db                --db, unless given; store.retention_days likewise (-1: not set),
 *                           and store.finding_publishing_frequency (NULL: not set)
 *
 * Wiring into `coalmine serve`: api.listen, api.account and api.region as --listen,
 * --account and --region unless given; api.credentials with --credentials' own.
 */
#ifndef CM_CORE_CONFIG_H
#define CM_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "base/str.h"

#define CM_CONFIG_MAX_BYTES ((size_t)1 << 20) /* the file, whole */
#define CM_CONFIG_MAX_ITEMS 1024              /* entries in one list */
#define CM_CONFIG_MAX_PATH  4096              /* bytes in one path, resolved */
#define CM_CONFIG_MAX_DEPTH 8                 /* nesting the walker ever follows */

/* An owned list of owned NUL-terminated strings, in file order. */
struct cm_config_list {
    char **v;
    size_t n;
};

struct cm_config_intel {
    struct cm_config_list threat_lists;  /* "[NAME=][FORMAT:]FILE", as --threat-list */
    struct cm_config_list trusted_lists; /* "[NAME=][FORMAT:]FILE", as --trusted-list */
    struct cm_config_list lists;         /* "CATEGORY[:NAME]=[FORMAT:]FILE", as --intel-list */
    char *dir;                           /* as --intel-dir; NULL: not set */
    bool use_default;                    /* false: as --no-default-intel (default true) */
    struct cm_config_list geoip;         /* MMDB files, as --geoip (at most 16) */
    char *aws_ranges;                    /* ip-ranges.json, as --aws-ranges; NULL: not set */
};

/*
 * One canary check of canaries.checks (docs/canaries.md, "In coalmine.yaml"), made in the
 * store by `coalmine serve` and `coalmine canary tick --config` (src/canary/canary.h,
 * cm_canary_reconcile) as `coalmine canary put` makes one.
 */
struct cm_config_check {
    char *name;     /* 1-64 of [A-Za-z0-9._-], not given twice */
    char *kind;     /* "freshness", "pipeline" or "scan-health" (key "kind" or "check") */
    char *schedule; /* a schedule expression (lib/route/schedule.h), checked */
    char *params;   /* a JSON object ("{}" when none): the params mapping, or a string holding
                       JSON; its members are checked against the kind when it is applied */
    bool enabled;   /* state: ENABLED (the default) or DISABLED */
    bool on_change; /* true: an event on a change of status only (canary put --on-change) */
    int line;       /* where the entry starts (1-based) */
    int params_line, params_col; /* where its params are (the entry's when none) */
};

#define CM_CONFIG_MAX_CHECKS 256 /* entries of canaries.checks */

struct cm_config_canaries {
    struct cm_config_list keys;     /* decoy access key ids, as --canary-key; no duplicates */
    struct cm_config_check *checks; /* canaries.checks, in file order */
    size_t nchecks;
};

/* Detector settings: 0 means "not set", and the detector uses its default. */
struct cm_config_console_login {
    int min_distance_km; /* 1..20000 */
    int max_speed_kmh;   /* 1..1000000 */
    int window_hours;    /* 1..8760 */
};

struct cm_config_credential_exfiltration {
    int expected_after_days; /* 1..3650 */
};

/* The API anomaly model (docs/detectors/cloudtrail-anomaly.md). */
struct cm_config_api_anomaly {
    int learning_hours;           /* 1..8760 (24) */
    int discovery_burst;          /* 1..8 (5) */
    int discovery_window_minutes; /* 1..1440 (10) */
};

/* The VPC flow detectors (docs/detectors/vpcflow*.md); 0 / false: the default. */
struct cm_config_vpcflow {
    int learning_hours;               /* 1..8760: history before baselines judge (24) */
    int brute_force_attempts;         /* 2..65535 (20) */
    int brute_force_window_minutes;   /* 1..1440 (10) */
    bool brute_force_private_remotes; /* count attackers inside the VPC too (false) */
    int port_probe_window_minutes;    /* 1..10080 (60) */
    int portscan_ports;               /* 2..100 (20) */
    int dos_packets_per_second;       /* 10..100000000 (3000) */
    int volume_floor_mb;              /* 1..10000000 (1024) */
    int volume_factor;                /* 2..1000000 (10) */
    int port_sweep_hosts;             /* 2..100000 (50) */
    int spambot_hosts;                /* 1..10000 (5) */
    int report_minutes;               /* 1..1440 (10) */
    int history_days;                 /* 1..365 (7) */
    int max_pairs;                    /* 1024..100000000 (524288) */
    int max_instances;                /* 1024..100000000 (262144) */
};

/* The DNS detectors (docs/detectors/dns.md); 0 / NULL / empty: the default. */
struct cm_config_dns {
    char *dga_model;                      /* as --dga-model; NULL: the built-in model */
    int dga_min_score_percent;            /* 50..100 (95) */
    int dga_nxdomain_min_score_percent;   /* 50..100 (80) */
    int dga_burst;                        /* 2..64 (8) */
    int dga_window_minutes;               /* 1..1440 (10) */
    int tunnel_names;                     /* 2..100000 (8) */
    int tunnel_window_minutes;            /* 1..1440 (60) */
    int tunnel_spread_domains;            /* 2..64 (3) */
    struct cm_config_list tunnel_allow;   /* domain names never judged as tunnels */
    int reputation_learning_hours;        /* 1..8760 (24) */
    int reputation_new_hours;             /* 1..8760 (24) */
    int reputation_min_score_percent;     /* 1..100 (45) */
    int reputation_max_domains;           /* 1024..100000000 (262144) */
    struct cm_config_list rebind_allowed; /* names that may answer with the metadata address */
};

/* The Custom Detection Rules (docs/detectors/custom-rules.md). */
struct cm_config_custom_rules {
    struct cm_config_list modes; /* "[ACCOUNT:]RULE=MODE", as --custom-rule (before them) */
};

struct cm_config_detectors {
    struct cm_config_console_login console_login;
    struct cm_config_credential_exfiltration credential_exfiltration;
    struct cm_config_api_anomaly api_anomaly;
    struct cm_config_vpcflow vpcflow;
    struct cm_config_dns dns;
    struct cm_config_custom_rules custom_rules;
};

struct cm_config_store {
    char *db;           /* as --db; NULL: not set */
    int retention_days; /* as --retention-days, 0..36500 (0 keeps findings); -1: not set */
    /* as --finding-publishing-frequency: "FIFTEEN_MINUTES", "ONE_HOUR" or "SIX_HOURS"
     * (a static string, not owned); NULL: not set */
    const char *finding_publishing_frequency;
};

/* One credential of api.credentials. */
struct cm_config_cred {
    char *access_key_id;     /* 16-128 of [A-Za-z0-9] */
    char *secret_access_key; /* 1-128 printable bytes, no spaces */
};

#define CM_CONFIG_MAX_CREDS 64

/*
 * api.targets: what a target put through the EventBridge API may be
 * (src/api/api_target_guard.h, docs/events-api.md "Security"). Empty lists: exec and
 * file targets refused, webhooks and Kafka brokers anywhere but link-local.
 */
struct cm_config_api_targets {
    struct cm_config_list exec_allow;    /* programs, or directories holding them */
    struct cm_config_list file_dirs;     /* directories files may be appended to */
    struct cm_config_list webhook_allow; /* URL prefixes: scheme://host[:port][/path] */
    struct cm_config_list kafka_allow;   /* brokers, host:port */
};

/* What `coalmine serve` reads (docs/config.md, "api"). */
struct cm_config_api {
    char *listen;  /* as --listen; NULL: not set */
    char *account; /* as --account, 12 digits; NULL: not set */
    char *region;  /* as --region; NULL: not set */
    struct cm_config_cred *credentials;
    size_t ncredentials;
    struct cm_config_api_targets targets;
};

/*
 * What `coalmine serve` watches (docs/config.md "serve", docs/serve.md). The intervals
 * in seconds; 0: not set (the command's defaults).
 */
struct cm_config_serve {
    struct cm_config_list watch; /* as --watch: directories (or files) fed to the engine */
    int poll_interval;           /* as --poll-interval, 1..86400 */
    int settle;                  /* as --settle, 0..86400; -1: not set */
    int checkpoint_interval;     /* as --checkpoint-interval, 1..86400 */
    int canary_interval;         /* as --canary-interval, 1..86400 */
    int bus_interval;            /* as --bus-interval, 1..86400 */
    char *state;                 /* as --state; NULL: not set (a file beside the store) */
};

/*
 * One named secret of secrets (docs/config.md "secrets"): what a webhook header refers to
 * with {"secret": NAME} (src/bus/target.h, struct cm_target_secret). Nothing is read here.
 */
struct cm_config_secret {
    char *name;                 /* 1-64 of [A-Za-z0-9._-], not given twice */
    char *file;                 /* the file holding the value, resolved; NULL: env */
    char *env;                  /* the environment variable holding it; NULL: file */
    struct cm_config_list urls; /* 1+ URL prefixes it may be sent to, as webhook_allow's */
    int line;                   /* where it is named (1-based) */
};

#define CM_CONFIG_MAX_SECRETS 256

struct cm_config {
    struct cm_config_intel intel;
    struct cm_config_canaries canaries;
    struct cm_config_detectors detectors;
    struct cm_config_store store;
    struct cm_config_api api;
    struct cm_config_serve serve;
    struct cm_config_list inventory;  /* describe-instances JSON files, as --inventory */
    struct cm_config_secret *secrets; /* secrets, in file order */
    size_t nsecrets;
};

/* Sets the defaults: empty lists, nothing set, intel.use_default true. */
void cm_config_init(struct cm_config *c);

/*
 * Parses a config from buf[0..len) (no NUL needed). base_dir is what
 * relative paths are resolved against (NULL or "": kept as written). On
 * success c's previous contents are freed and replaced; on error c is left
 * as it was and err says "LINE:COL: KEY.PATH: reason". Returns 0, CM_EINVAL
 * (malformed or invalid, or longer than CM_CONFIG_MAX_BYTES) or CM_ENOMEM.
 */
int cm_config_parse(struct cm_config *c, const char *buf, size_t len, const char *base_dir,
                    char *err, size_t errlen);

/*
 * Reads the file at path and parses it as cm_config_parse() does, with
 * relative paths resolved against the file's directory. err starts with
 * path ("etc/coalmine.yaml:3:5: ..."). Returns 0, CM_EIO (cannot be read:
 * err has the system's reason), CM_EINVAL or CM_ENOMEM.
 */
int cm_config_load(struct cm_config *c, const char *path, char *err, size_t errlen);

/* Frees everything c owns and sets the defaults again; idempotent. */
void cm_config_finish(struct cm_config *c);

/*
 * Checks the shape of an AWS access key id (canaries.keys, --canary-key):
 * 16 to 128 characters of A-Z and 0-9 starting with an IAM unique-id prefix
 * (AKIA, ASIA, ABIA, ACCA, AGPA, AIDA, AIPA, ANPA, ANVA, APKA, AROA, ASCA).
 * Returns NULL when it is one, or a static reason why not.
 */
const char *cm_config_check_access_key(struct cm_str key);

#endif
