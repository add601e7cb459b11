/*
 * coalmine: one binary, many subcommands. main() finds the command in the
 * table and hands it argv; the commands own their options.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"

static const struct cm_cmd *const commands[] = {
    &cm_cmd_scan,
    &cm_cmd_findings,
    &cm_cmd_filters,
    &cm_cmd_gen,
    &cm_cmd_bench,
    &cm_cmd_version,
    &cm_cmd_intel,
    &cm_cmd_dns,
    &cm_cmd_rules,
    &cm_cmd_targets,
    NULL,
};

static void usage(FILE *f)
{
    fprintf(f, "usage: coalmine <command> [options]\n\ncommands:\n");
    for (size_t i = 0; commands[i]; i++) {
        fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
    }
    fprintf(f, "\nRun 'coalmine <command> --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CM_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return CM_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        return cm_cmd_version.run(1, argv + 1);
    }
    for (size_t i = 0; commands[i]; i++) {
        if (strcmp(argv[1], commands[i]->name) == 0) {
            return commands[i]->run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "coalmine: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return CM_EXIT_USAGE;
}
