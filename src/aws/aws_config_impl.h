/*
 * What aws_config.c (the environment, the files, the region and endpoint) and
 * aws_chain.c (the credential providers in botocore's order) share. Private to src/aws.
 */
#ifndef CM_AWS_CONFIG_IMPL_H
#define CM_AWS_CONFIG_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/aws_config.h"

#define IMDS_DEFAULT "http://169.254.169.254"
#define PATH_CAP     1024 /* a file's name */
#define FROM_CAP     1100 /* where the key pair came from */
#define MAX_CHAIN    16   /* profiles in a source_profile chain */

/* An environment variable's value, NULL when unset or empty. */
const char *cm_aws_env(const char *name);

/*
 * The profile: opt (--profile), else AWS_PROFILE, else "default"; *named the option or
 * variable that named it (NULL: none did, "default").
 */
const char *cm_aws_profile_of(const char *opt, const char **named);

/*
 * Reads the profile's settings from the file named by variable var, else ~/dflt. A file
 * that is not there is no error. Returns 0 or an error with err set.
 */
int cm_aws_read_profile_file(const char *var, const char *dflt, const char *profile, bool config,
                             struct cm_aws_profile *p, char *path, size_t pathlen, char *err,
                             size_t errlen);

/* The profile's settings from the credentials file, then the config file (aws_config.c). */
int cm_aws_from_files(const char *profile, struct cm_aws_profile *p, char *cred_path,
                      char *conf_path, char *from, char *err, size_t errlen);

/* Fills c's credentials, source and expiry from the chain (c's region set; aws_chain.c). */
int cm_aws_chain_credentials(struct cm_aws_config *c, char *err, size_t errlen);

#endif
