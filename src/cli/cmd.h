/*
 * The CLI's command table. Each subcommand lives in cmd_<name>.c and exports
 * one const struct cm_cmd; main.c lists them. A command's run() gets argv with
 * argv[0] = the command name, parses its own options (getopt_long), and
 * returns the process exit status: 0 success, 1 error, 2 usage error.
 * "--help" on every command prints its usage to stdout and returns 0.
 */
#ifndef CM_CLI_CMD_H
#define CM_CLI_CMD_H

enum { CM_EXIT_OK = 0, CM_EXIT_ERROR = 1, CM_EXIT_USAGE = 2 };

struct cm_cmd {
    const char *name;
    const char *summary; /* one line for `coalmine --help` */
    int (*run)(int argc, char **argv);
};

extern const struct cm_cmd cm_cmd_scan;
extern const struct cm_cmd cm_cmd_findings;
extern const struct cm_cmd cm_cmd_filters;
extern const struct cm_cmd cm_cmd_gen;
extern const struct cm_cmd cm_cmd_bench;
extern const struct cm_cmd cm_cmd_version;
extern const struct cm_cmd cm_cmd_intel;
extern const struct cm_cmd cm_cmd_dns;
extern const struct cm_cmd cm_cmd_rules;
extern const struct cm_cmd cm_cmd_targets;
extern const struct cm_cmd cm_cmd_serve;
extern const struct cm_cmd cm_cmd_canary;

#endif
