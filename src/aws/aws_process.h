/*
 * Credentials from an external program, the profile's credential_process (botocore's
 * "custom-process" provider): the command line split as botocore splits it
 * (aws/aws_shlex.h) and run without a shell (the program looked up on PATH), its
 * standard output read as JSON Version 1 (aws/aws_creds.h), its standard error passed
 * through to ours. A program that exits non-zero, prints something else or runs longer
 * than the timeout (then killed) is an error naming the profile and the program.
 */
#ifndef CM_AWS_AWS_PROCESS_H
#define CM_AWS_AWS_PROCESS_H

#include <stddef.h>

#include "aws/aws_creds.h"

#define CM_AWS_PROCESS_TIMEOUT_S 60 /* unless COALMINE_CREDENTIAL_PROCESS_TIMEOUT says */

/* Runs cmd (profile names it in messages). Returns 0, CM_EINVAL or CM_EIO with err set. */
int cm_aws_process_credentials(const char *cmd, const char *profile, struct cm_aws_creds *out,
                               char *err, size_t errlen);

#endif
