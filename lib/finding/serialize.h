/*
 * Output forms of a finding (docs/internals/finding.md):
 *
 *  - API form: GuardDuty's GetFindings document, member for member as the
 *    API model's Finding shape (timestamps as "2025-03-04T10:00:00.000Z",
 *    severity a number, count and ports integers, additionalInfo as
 *    {value: "<JSON text>", type: "default"}). Absent members are left out.
 *    coalmine's evidence (source record references) travels inside
 *    additionalInfo.value under the key "coalmine", so the document stays
 *    valid against the model.
 *  - Event form: the same document as EventBridge and S3 export carry it:
 *    additionalInfo expanded next to value/type, "evidence": null when empty.
 *  - EventBridge envelope with the event form as detail.
 *  - OCSF 1.1 Detection Finding (class_uid 2004).
 *
 * All writers append to a struct cm_buf and return 0 or a negative CM_E*.
 * The parser reads the API (or event) form back into a struct cm_finding.
 */
#ifndef CM_FINDING_SERIALIZE_H
#define CM_FINDING_SERIALIZE_H

#include <stdint.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/json.h"
#include "finding/finding.h"

enum cm_finding_form { CM_FORM_API = 0, CM_FORM_EVENT = 1 };

/* Writes the finding as one JSON value into an open writer. */
int cm_finding_write(struct cm_jw *jw, const struct cm_finding *f, enum cm_finding_form form);
/* Appends the finding as one compact JSON object (no newline). */
/*
 * Finishes a document written with jw since out->len was len0: returns 0, or
 * the writer's error after cutting the buffer back to len0.
 */
int cm_finding_jw_end(struct cm_jw *jw, size_t len0);
int cm_finding_to_json(const struct cm_finding *f, enum cm_finding_form form, struct cm_buf *out);
/*
 * The CLI form: the finding as `aws guardduty get-findings` prints it, the
 * model's member names (PascalCase) for the API form's (finding_cli.c).
 * write_cli writes it as one value into an open writer; to_cli appends it as
 * one compact object. Return 0 or a negative CM_E* (CM_EFORMAT: not JSON).
 */
int cm_finding_write_cli(struct cm_jw *jw, const struct cm_finding *f);
/* Writes the API form json[0..len) (one finding) in the CLI form into an open writer. */
int cm_finding_api_to_cli(struct cm_jw *jw, const char *json, size_t len);
int cm_finding_to_cli(const struct cm_finding *f, struct cm_buf *out);
/* Appends the API form followed by '\n' (JSON Lines, one finding per line). */
int cm_finding_to_jsonl(const struct cm_finding *f, struct cm_buf *out);

/*
 * Appends the additionalInfo object text (detector keys plus the "coalmine"
 * evidence member) that the API form carries as a string in value.
 */
int cm_finding_additional_info(const struct cm_finding *f, struct cm_buf *out);

/*
 * Writes the member "additionalInfo" into an open object: {value, type} in
 * the API form, the same plus the expanded keys in the event form.
 */
int cm_finding_write_additional_info(struct cm_jw *jw, const struct cm_finding *f,
                                     enum cm_finding_form form);

/*
 * Parser helpers: reads an additionalInfo value (JSON object text) into
 * f->additional_info and f->evidence; reads publicAccess.permissionConfiguration
 * flags (node pa, may be CM_JSON_NONE) into perm[CM_S3P_COUNT].
 */
int cm_finding_read_additional_info(struct cm_finding *f, struct cm_str value);
/*
 * An attack sequence's service.detection.sequence: cm_finding_write_detection
 * writes the member "detection" {"sequence": ...} into an open object (none
 * when f has no sequence); cm_finding_read_sequence puts object node seq (may
 * be CM_JSON_NONE) back among f's detector keys, after its additionalInfo.
 */
int cm_finding_write_detection(struct cm_jw *jw, const struct cm_finding *f);
int cm_finding_read_sequence(struct cm_finding *f, const struct cm_json_doc *d, uint32_t seq);
void cm_finding_read_bucket_perm(const struct cm_json_doc *d, uint32_t pa, int8_t *perm);

/*
 * Appends the EventBridge event: version "0", a deterministic id (UUID form,
 * hashed from the finding id and updatedAt), detail-type "GuardDuty Finding",
 * source "aws.guardduty", account, time (time_ms, whole seconds; 0: the
 * finding's updatedAt), region, resources [] and detail (event form).
 */
int cm_finding_to_eventbridge(const struct cm_finding *f, int64_t time_ms, struct cm_buf *out);
/*
 * The id of the event that publishes this state of f (UUID form, 36 chars
 * and a NUL): the EventBridge event's id and the OCSF event's metadata.uid.
 */
void cm_finding_event_id(const struct cm_finding *f, char out[37]);

/*
 * The activity an OCSF Detection Finding event reports (activity_id): the
 * finding was created (first reported by this output) or updated (reported
 * before: a store held it). CM_OCSF_ACT_SNAPSHOT is for a finding read back
 * from a store, whose history is not known: Create when it is as first seen
 * (count 1, createdAt = updatedAt), else Update.
 */
enum cm_ocsf_activity { CM_OCSF_ACT_SNAPSHOT = 0, CM_OCSF_ACT_CREATE = 1, CM_OCSF_ACT_UPDATE = 2 };

/*
 * Appends the OCSF 1.1 Detection Finding; product_version NULL: the library
 * version. cm_finding_to_ocsf is cm_finding_to_ocsf_as with
 * CM_OCSF_ACT_SNAPSHOT.
 */
int cm_finding_to_ocsf_as(const struct cm_finding *f, const char *product_version,
                          enum cm_ocsf_activity activity, struct cm_buf *out);
int cm_finding_to_ocsf(const struct cm_finding *f, const char *product_version, struct cm_buf *out);
/* OCSF severity_id of a GuardDuty severity (1 Informational .. 5 Critical). */
int cm_finding_ocsf_severity_id(double severity);

/*
 * Parses one finding (API or event form) from JSON text into f, which must be
 * freshly initialised. Unknown members are ignored. Returns 0, CM_ESYNTAX
 * (bad JSON; diag gets the reason), CM_EINVAL (not a finding: a required
 * member missing or of the wrong type), CM_ENOMEM or CM_E2BIG.
 */
int cm_finding_from_json(struct cm_finding *f, const char *json, size_t len, struct cm_diag *diag);
/* Same from a parsed node. */
int cm_finding_from_node(struct cm_finding *f, const struct cm_json_doc *d, uint32_t node);

#endif
