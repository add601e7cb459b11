/*
 * GuardDuty filters (spec §5.1, §5.3): a named finding criteria with an
 * action and a rank, and the set of a detector's filters in rank order.
 *
 * GuardDuty semantics: a NOOP filter is only a saved view for listing
 * findings; an ARCHIVE filter is a suppression rule: a new finding (or a new
 * occurrence of one) that matches any ARCHIVE filter is still created or
 * updated, but archived, and is never published (EventBridge, S3 export).
 * Filters are applied in rank order (1 first); ties keep insertion order.
 *
 * JSON form (CreateFilter request body / GetFilter response): {"name",
 * "description", "action", "rank", "findingCriteria"}; the boto3/CLI
 * capitalised member names (Name, Description, ...) are accepted as well;
 * "clientToken" and "tags" are accepted and ignored (the store keeps tags).
 */
#ifndef CM_FINDING_FILTER_H
#define CM_FINDING_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "base/json.h"
#include "base/str.h"
#include "finding/criteria.h"

#define CM_FILTER_NAME_MIN  3
#define CM_FILTER_NAME_MAX  64
#define CM_FILTER_DESC_MAX  512
#define CM_FILTER_RANK_MIN  1
#define CM_FILTER_RANK_MAX  100
#define CM_FILTERSET_MAX    100 /* filters per detector (GuardDuty quota) */
#define CM_FILTER_MAX_INPUT (512u * 1024u)

enum cm_filter_action {
    CM_FILTER_NOOP = 0,
    CM_FILTER_ARCHIVE = 1,
};

struct cm_filter {
    char *name;        /* owned, NUL-terminated, validated */
    char *description; /* owned, NUL-terminated, "" when absent */
    enum cm_filter_action action;
    int rank;                     /* 1..100; 0 = not given (cm_filterset_add assigns) */
    struct cm_criteria *criteria; /* owned, at least one attribute */
};

/*
 * Checks a filter name: 3-64 bytes of [A-Za-z0-9._-]. Returns 0 or
 * CM_EINVAL with the reason in diag.
 */
int cm_filter_name_check(struct cm_str name, struct cm_diag *diag);

/*
 * Parses a CreateFilter body (base NULL: name and findingCriteria required)
 * or an UpdateFilter body (base = the current filter: name must be absent or
 * equal, every other member is optional and defaults to base's value).
 * Returns 0 and an owned *out, or CM_ESYNTAX (malformed JSON), CM_EINVAL
 * (unknown member, bad name, action, rank or criteria), CM_E2BIG, CM_ENOMEM;
 * diag names the member and the reason.
 */
int cm_filter_parse(const char *json, size_t len, const struct cm_filter *base,
                    struct cm_filter **out, struct cm_diag *diag);

/*
 * Same, from the object at node root of a parsed doc. flags 0 is the file form
 * (cm_filter_parse: lowerCamel or UpperCamel names, an unknown or repeated
 * member refused); CM_FILTER_F_WIRE is the API's (src/api/api_input.h):
 * lowerCamel names only and an unknown member ignored.
 */
#define CM_FILTER_F_WIRE 1u
int cm_filter_parse_node(const struct cm_json_doc *d, uint32_t root, const struct cm_filter *base,
                         unsigned flags, struct cm_filter **out, struct cm_diag *diag);

/* Frees f; NULL is a no-op. */
void cm_filter_destroy(struct cm_filter *f);

/* Writes f in GetFilter form (name, description, action, rank, findingCriteria). */
void cm_filter_write(const struct cm_filter *f, struct cm_jw *jw);

/* Name of an action ("NOOP"/"ARCHIVE"). */
const char *cm_filter_action_name(enum cm_filter_action a);

/* A detector's filters, kept in rank order. Caller-owned (init/finish). */
struct cm_filterset {
    struct cm_filter **v;
    size_t n;
    size_t cap;
};

void cm_filterset_init(struct cm_filterset *s);
/* Destroys every filter and frees the set; idempotent. */
void cm_filterset_finish(struct cm_filterset *s);

/*
 * Adds f, taking ownership on success. A filter without rank gets the last
 * rank + 1 (at most 100). Returns 0, CM_EINVAL (a filter of that name
 * exists), CM_EFULL (100 filters already) or CM_ENOMEM; on error the caller
 * keeps f.
 */
int cm_filterset_add(struct cm_filterset *s, struct cm_filter *f);

/* Removes the named filter and returns it (owned by the caller), or NULL. */
struct cm_filter *cm_filterset_take(struct cm_filterset *s, struct cm_str name);

/* The named filter, or NULL. */
const struct cm_filter *cm_filterset_get(const struct cm_filterset *s, struct cm_str name);

/*
 * Applies the set to a finding (GuardDuty API JSON form at node root).
 * Returns true when some ARCHIVE filter matches, i.e. the finding must be
 * stored archived and not published; *first_match (may be NULL) gets the
 * first matching ARCHIVE filter in rank order, or NULL. NOOP filters never
 * change the outcome.
 */
bool cm_filterset_apply(const struct cm_filterset *s, const struct cm_json_doc *finding,
                        uint32_t root, const struct cm_filter **first_match);

#endif
