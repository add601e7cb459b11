/*
 * Printing findings in the output forms users feed to their tools: a table
 * for people (severity coloured on a terminal), GuardDuty API JSON (one
 * finding per line), the EventBridge event ("GuardDuty Finding"), and OCSF
 * Detection Finding (class 2004). Shared by the commands that print findings.
 */
#ifndef CM_CLI_FINDINGS_OUT_H
#define CM_CLI_FINDINGS_OUT_H

#include <stdio.h>

#include "finding/finding.h"
#include "finding/serialize.h"

/* The detector id coalmine reports when none is configured (32 hex, like GuardDuty's). */
#define CM_DEFAULT_DETECTOR_ID "c0a1c0a1c0a1c0a1c0a1c0a1c0a1c0a1"

enum cm_out_format { CM_OUT_TABLE = 0, CM_OUT_JSON, CM_OUT_EVENTBRIDGE, CM_OUT_OCSF, CM_OUT_CLI };

/* Parses a --format name; returns 0 or -1 for an unknown name. */
int cm_out_format_parse(const char *name, enum cm_out_format *out);

/* Writes the table header (table form only). */
void cm_out_header(FILE *f, enum cm_out_format fmt, int tty);
/* Writes one finding. Returns 0 or a negative CM_E* (serialisation failed). */
int cm_out_finding(FILE *f, enum cm_out_format fmt, const struct cm_finding *fd, int tty);
/*
 * cm_out_finding with the OCSF activity the caller knows (a scan: Create
 * for a finding it reports first, Update for one a store held before);
 * cm_out_finding is CM_OCSF_ACT_SNAPSHOT (a finding read from a store).
 */
int cm_out_finding_as(FILE *f, enum cm_out_format fmt, const struct cm_finding *fd, int tty,
                      enum cm_ocsf_activity activity);

/*
 * The table of stored findings (coalmine findings list/get): the same
 * columns with updatedAt instead of the last seen event, archived findings
 * marked "(archived)".
 */
void cm_out_stored_header(FILE *f);
void cm_out_stored_row(FILE *f, const struct cm_finding *fd, int tty);

#endif
