/*
 * Command-line input shared by `coalmine findings` and `coalmine filters`:
 * JSON arguments given inline or as file://PATH (like the aws CLI), JSON
 * diagnostics, and opening the store (see findings_cli.h).
 */
#include "cli/findings_cli.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "cli/cmd.h"
#include "source/source_file.h"

int cm_cli_arg_text(const char *cmd, const char *opt, const char *arg, size_t max,
                    struct cm_buf *out)
{
    const char *path;
    int fd, rc;

    cm_buf_reset(out);
    if (strncmp(arg, "file://", 7) != 0) {
        if (strlen(arg) > max) {
            fprintf(stderr, "coalmine %s: %s: longer than %zu bytes\n", cmd, opt, max);
            return CM_EXIT_ERROR;
        }
        if (cm_buf_append(out, arg, strlen(arg)) != 0) {
            fprintf(stderr, "coalmine %s: %s: %s\n", cmd, opt, cm_strerror(CM_ENOMEM));
            return CM_EXIT_ERROR;
        }
        return CM_EXIT_OK;
    }
    path = arg + 7;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "coalmine %s: %s: %s: %s\n", cmd, opt, path, strerror(errno));
        return CM_EXIT_ERROR;
    }
    rc = cm_read_fd(fd, out, 0);
    close(fd);
    if (rc == 0 && out->len > max) {
        rc = CM_E2BIG;
    }
    if (rc != 0) {
        if (rc == CM_E2BIG) {
            fprintf(stderr, "coalmine %s: %s: %s: larger than %zu bytes\n", cmd, opt, path, max);
        } else {
            fprintf(stderr, "coalmine %s: %s: %s: %s\n", cmd, opt, path,
                    rc == CM_EIO ? strerror(errno) : cm_strerror(rc));
        }
        cm_buf_reset(out);
        return CM_EXIT_ERROR;
    }
    return CM_EXIT_OK;
}

void cm_cli_diag(const char *cmd, const char *opt, int rc, const struct cm_diag *d)
{
    if (d->line > 1) {
        fprintf(stderr, "coalmine %s: %s: byte %zu (line %zu): %s\n", cmd, opt, d->offset, d->line,
                d->msg[0] ? d->msg : cm_strerror(rc));
    } else {
        fprintf(stderr, "coalmine %s: %s: byte %zu: %s\n", cmd, opt, d->offset,
                d->msg[0] ? d->msg : cm_strerror(rc));
    }
}

int cm_cli_open_store(const char *cmd, const char *path, unsigned flags, struct cm_store **st)
{
    char err[512] = "";
    size_t n = strlen(path);
    int rc;

    *st = NULL;
    rc = cm_store_open(st, path, flags, err, sizeof(err));
    if (rc == 0) {
        return CM_EXIT_OK;
    }
    if (err[0] == '\0') {
        snprintf(err, sizeof(err), "%s", cm_strerror(rc));
    }
    if (strncmp(err, path, n) == 0 && err[n] == ':') {
        fprintf(stderr, "coalmine %s: %s\n", cmd, err); /* the store named the file */
    } else {
        fprintf(stderr, "coalmine %s: %s: %s\n", cmd, path, err);
    }
    *st = NULL;
    return CM_EXIT_ERROR;
}

int cm_cli_getopt(const char *parent, int argc, char **argv, const char *shortopts,
                  const struct option *longopts, int *longindex)
{
    char name[128];
    char *saved = argv[0];
    int c;

    if (parent != NULL && strcmp(parent, argv[0]) != 0) {
        snprintf(name, sizeof(name), "coalmine %s %s", parent, argv[0]);
    } else {
        snprintf(name, sizeof(name), "coalmine %s", argv[0]);
    }
    argv[0] = name; /* getopt prints argv[0] before its messages; it never moves it */
    c = getopt_long(argc, argv, shortopts, longopts, longindex);
    argv[0] = saved;
    return c;
}

int cm_cli_no_args(const char *cmd, const char *sub, const char *db, int argc, char **argv)
{
    if (db == NULL) {
        fprintf(stderr, "coalmine %s: %s: --db FILE is required\n", cmd, sub);
        return CM_EXIT_USAGE;
    }
    if (optind < argc) {
        fprintf(stderr, "coalmine %s: %s: unexpected argument '%s'\n", cmd, sub, argv[optind]);
        return CM_EXIT_USAGE;
    }
    return CM_EXIT_OK;
}

int cm_cli_subcommand(const char *cmd, const struct cm_cmd *subs, size_t n, void (*usage)(FILE *),
                      int argc, char **argv)
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
    for (size_t i = 0; i < n; i++) {
        if (strcmp(argv[1], subs[i].name) == 0) {
            return subs[i].run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "coalmine %s: unknown subcommand '%s'\n", cmd, argv[1]);
    usage(stderr);
    return CM_EXIT_USAGE;
}

void cm_cli_subcommand_list(FILE *f, const struct cm_cmd *subs, size_t n, int width)
{
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "  %-*s %s\n", width, subs[i].name, subs[i].summary);
    }
}
