/*
 * coalmine: one binary, many subcommands. main() finds the command in the
 * table and hands it argv; the commands own their options.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cmd.h"

/* One command a line (clang-format would pack them past ten). */
/* clang-format off */
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
    &cm_cmd_serve,
    &cm_cmd_canary,
    NULL,
};
/* clang-format on */

static void usage(FILE *f)
{
    fprintf(f, "usage: coalmine <command> [options]\n\ncommands:\n");
    for (size_t i = 0; commands[i]; i++) {
        fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
    }
    fprintf(f, "\nRun 'coalmine <command> --help' for a command's options.\n");
}

/*
 * Descriptors 0, 1 and 2 open before any file is: a command started with one of them
 * closed (`>&-`, a careless service manager) would hand it to the first file it opens and
 * print into that file (before 2026-12-05, `scan --state S >&-` wrote its findings into
 * S.lock and exited 0). Each closed one becomes /dev/null opened for reading only, so a
 * write to it fails (EBADF) as a write to a closed descriptor would: `scan` then reports
 * findings it could not print, exit 1, and writes no state.
 */
static void reserve_std_fds(void)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) == -1 && errno == EBADF) {
            int got = open("/dev/null", O_RDONLY); /* the lowest free descriptor: fd */

            if (got >= 0 && got != fd) {
                (void)dup2(got, fd);
                close(got);
            }
        }
    }
}

int main(int argc, char **argv)
{
    reserve_std_fds();
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
