/*
 * A bus run's claim token, and whether the run that wrote one is gone
 * (docs/internals/bus.md, "Several processes on one store").
 *
 * A run claims a delivery before making it (cm_store_delivery_claim) with a
 * token unique per run on this host: "PID.SEC.NSEC.ADDR", its process id,
 * the wall clock when the run began, and an address on its stack. A claim
 * holds until its lease ends (the target's timeout and a margin; an hour
 * and a minute for a spec without timeout_seconds), so that a second
 * process does not make the same delivery. A process killed while it held
 * one (kill -9, a crash, a power cut) left its claims behind: the service
 * started again found them busy and the event waited out the lease, an hour
 * for a file target. cm_bus_claim_gone tells such a claim apart: its
 * process no longer exists, or the process with its id started after the
 * claim was made (a restart that got the same pid, PID 1 in a container).
 * SQLite's WAL keeps every process of a store on one host, so the pid is
 * meaningful.
 */
#ifndef CM_BUS_CLAIM_H
#define CM_BUS_CLAIM_H

#include <stdbool.h>
#include <stddef.h>

#define CM_BUS_CLAIM_TOKEN_MAX 64

/* Writes this run's token into buf (CM_BUS_CLAIM_TOKEN_MAX bytes). */
void cm_bus_claim_token(char *buf, size_t n);

/*
 * Whether the run that wrote token is gone: its process does not exist, or
 * the process that has its id now started after the token's time. False
 * when that cannot be known (a token of another form, no /proc): the claim
 * then holds until its lease ends, as before.
 */
bool cm_bus_claim_gone(const char *token);

#endif
