/*
 * What the files of `coalmine rules` share (cmd_rules.c, cmd_rules_owed.c): the option
 * codes and parsed options of a subcommand, their parser and the store error report.
 */
#ifndef CM_CLI_CMD_RULES_IMPL_H
#define CM_CLI_CMD_RULES_IMPL_H

#include <stdbool.h>

#define CMD "rules"

/* Option codes, and the mask of the ones a subcommand takes. */
enum {
    O_DB = 1u << 0,
    O_NAME = 1u << 1,
    O_PATTERN = 1u << 2,
    O_DESC = 1u << 3,
    O_STATE = 1u << 4,
    O_FORCE = 1u << 5,
    O_EVENT = 1u << 6,
    O_FINDING = 1u << 7,
    O_NOW = 1u << 8,
    O_FORMAT = 1u << 9,
    O_MAX = 1u << 10,
    O_FREQ = 1u << 11,
    O_SCHED = 1u << 12,
    O_RELEASE = 1u << 13,
    O_CONFIG = 1u << 14,
};

struct ropts {
    unsigned given;
    const char *db, *config, *name, *pattern, *description, *state, *event, *finding, *freq,
        *schedule;
    bool json;
    unsigned long long max;
};

/*
 * Parses the options of subcommand argv[0] into o; allowed is the mask it
 * takes, required the ones it needs. Returns 0, 1 (--help printed) or
 * CM_EXIT_USAGE (reported).
 */
int cm_rules_parse(int argc, char **argv, struct ropts *o, unsigned allowed, unsigned required,
                   const char *help);

/* Reports a store error; returns CM_EXIT_ERROR. */
int cm_rules_store_error(const char *sub, const char *err, int rc);

/* `rules deliveries` and `rules outbox` (cmd_rules_owed.c). */
int cm_rules_deliveries(int argc, char **argv);
int cm_rules_outbox(int argc, char **argv);

#endif
