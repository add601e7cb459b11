/*
 * What the VPC Flow Logs parser (vpcflow.c) and its field table
 * (vpcflow_fields.c) share. Private to lib/parse.
 */
#ifndef CM_PARSE_VPCFLOW_INT_H
#define CM_PARSE_VPCFLOW_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "event/event.h"

#define DEFAULT_NCOLS 14 /* version .. log-status, in enum order */

/*
 * The field id (enum cm_flow_field) of the name p[0..len), with or without
 * "${...}" around it; -1 when it names no field.
 */
int cm_flow_field_lookup(const char *p, size_t len);

/* The log format version that brought field id (2..10); 0 for no field. */
int cm_flow_field_version(unsigned id);

/* Whether p[0..len) (with or without "${...}") has the shape of a field name. */
bool cm_flow_field_name_shaped(const char *p, size_t len);

/*
 * Whether p[0..len) (with or without "${...}") names a field only Transit
 * Gateway flow logs have (resource-type, tgw-id, ..., packets-lost-*; the
 * exact names, so a value such as "tgw-0a1b" is not one).
 */
bool cm_flow_field_tgw(const char *p, size_t len);

/* Sets the typed value of field id in fl to what a line with "-" there means. */
void cm_flow_field_set_default(struct cm_flow *fl, unsigned id);

#endif
