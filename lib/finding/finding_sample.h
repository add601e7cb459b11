/*
 * Sample findings, as GuardDuty's CreateSampleFindings makes them: one
 * finding of a given type with placeholder values (instance i-99999999,
 * remote address 198.51.100.0 with asn "-1", GeneratedFinding* names) and
 * service.additionalInfo {"sample": true} (and, for an attack sequence, a
 * placeholder service.detection.sequence). The console shows such findings
 * with a "[SAMPLE]" title prefix; the JSON title has none (spec §1.7).
 *
 * A sample is built through the real builder (cm_finding_from_detection) from
 * one synthetic event that fits the type: a CloudTrail call with the API that
 * would raise it (StopLogging, UpdateAccountPasswordPolicy, GetObject, a Kali
 * user agent, a root caller ...), a VPC flow on the type's port and direction
 * (SSH 22 inbound for SSHBruteForce, SMTP 25 outbound for Spambot ...), a
 * Route 53 Resolver query for the type's kind of domain, or a port probe.
 * Placeholder details the builder never invents (instance type and tags,
 * remote organisation and place, bucket owner and permissions, threat list)
 * are set afterwards. The source-record evidence is dropped: a sample has no
 * raw record behind it.
 *
 * The id is the builder's identity of (account, region, type, placeholder
 * resource), so it is deterministic and distinct per type.
 */
#ifndef CM_FINDING_FINDING_SAMPLE_H
#define CM_FINDING_FINDING_SAMPLE_H

#include <stdint.h>

#include "base/json.h"
#include "finding/finding.h"

#define CM_SAMPLE_INSTANCE_ID "i-99999999"
#define CM_SAMPLE_REMOTE_IP   "198.51.100.0"
#define CM_SAMPLE_ACCESS_KEY  "GeneratedFindingAccessKeyId"
#define CM_SAMPLE_BUCKET      "amzn-s3-demo-bucket"
#define CM_SAMPLE_THREAT_LIST "GeneratedFindingThreatListName"

/*
 * Builds the sample finding of type (a type of the table in finding_types.c,
 * any status) into f, which must be freshly initialised (cm_finding_init).
 * ctx gives detectorId and partition as for cm_finding_from_detection (its
 * now_ms and file_name are not used); now_ms is createdAt/updatedAt and the
 * event time is one minute before it. count is 1. Returns 0, CM_EINVAL
 * (unknown type, account or region missing) or CM_ENOMEM/CM_E2BIG; on error
 * f holds a partial finding that the caller finishes as usual.
 */
int cm_finding_sample(struct cm_finding *f, const struct cm_finding_ctx *ctx, const char *account,
                      const char *region, const char *type, int64_t now_ms);

/*
 * Writes the member "sequence" of a sample attack sequence f (its detector
 * key, which the JSON forms carry at service.detection.sequence) into the
 * open object of jw (finding_sample_seq.c).
 */
void cm_finding_sample_sequence(struct cm_jw *jw, const struct cm_finding *f);

#endif
