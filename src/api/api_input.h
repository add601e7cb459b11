/*
 * Reading a restJson1 request body, the one way every operation reads its
 * input: the body parsed once with bounds (CM_API_MAX_BODY bytes,
 * CM_API_IN_MAX_NODES nodes, CM_API_IN_MAX_DEPTH levels), and typed getters
 * (spec/guardduty-api-model.json's types) that answer a bad value with 400
 * BadRequestException whose message names the member, the byte offset in the
 * body and the reason, e.g. "feedback: must be USEFUL or NOT_USEFUL (byte 41)".
 *
 * One policy for all operations, the service's: members are the model's
 * lowerCamelCase names (the wire form botocore sends; the spelling is exact),
 * members an operation does not know are ignored (as a restJson1 service
 * does), and a member given twice in one object is refused (anywhere in the
 * body: "<name>: given twice (byte N)"). A null member is an absent one. An
 * absent body is an empty object. Getters read a member of object node obj
 * (0: the body itself). Strings a getter returns are unescaped copies owned by
 * the body (freed by cm_api_in_finish).
 */
#ifndef CM_API_API_INPUT_H
#define CM_API_API_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/api.h"
#include "base/json.h"

#define CM_API_IN_MAX_NODES (1u << 16)
#define CM_API_IN_MAX_DEPTH 32
#define CM_API_IN_MAX_STRS  128 /* strings one body hands out */

struct cm_api_in {
    struct cm_json_doc d;
    bool parsed;
    void *strs[CM_API_IN_MAX_STRS];
    size_t nstrs;
};

/*
 * Parses req's body (none: {}): valid JSON within the bounds, an object at the top, no
 * member twice in any object. Returns 0, or -1 with resp set to a 400 naming the offset and
 * reason (-1 with resp untouched when out of memory). Call cm_api_in_finish either way.
 */
int cm_api_in_parse(struct cm_api_in *b, const struct cm_api_req *req, struct cm_api_resp *resp);

void cm_api_in_finish(struct cm_api_in *b);

/* The value node of member name of object obj, or CM_JSON_NONE when absent or null. */
uint32_t cm_api_in_get(const struct cm_api_in *b, uint32_t obj, const char *name);

/* A 400 naming member name at node's offset: "<name>: <why> (byte N)". Returns -1. */
int cm_api_in_bad(const struct cm_api_in *b, struct cm_api_resp *resp, const char *name,
                  uint32_t node, const char *why);

/*
 * Member name of obj of JSON type t (CM_JSON_TRUE: a boolean) into *node (CM_JSON_NONE
 * when absent and not required). Returns 0 or -1 ("is required", "must be a list").
 */
int cm_api_in_node(struct cm_api_in *b, struct cm_api_resp *resp, uint32_t obj, const char *name,
                   bool required, enum cm_json_type t, uint32_t *node);

/*
 * String member name into *out (NULL when absent and not required): min..max bytes once
 * unescaped, no NUL. Returns 0 or -1 with resp set ("is required", "must be a string",
 * "must be N to M characters, has K").
 */
int cm_api_in_str(struct cm_api_in *b, struct cm_api_resp *resp, uint32_t obj, const char *name,
                  bool required, size_t min, size_t max, const char **out);

/*
 * String member name that must be one of allowed[] (NULL-terminated) into *out (NULL when
 * absent and not required). Returns 0 or -1 ("must be one of A, B, not 'x'").
 */
int cm_api_in_enum(struct cm_api_in *b, struct cm_api_resp *resp, uint32_t obj, const char *name,
                   bool required, const char *const *allowed, const char **out);

/* Integer member name in [min, max] into *out (left alone when absent). Returns 0 or -1. */
int cm_api_in_int(struct cm_api_in *b, struct cm_api_resp *resp, uint32_t obj, const char *name,
                  int64_t min, int64_t max, int64_t *out);

/* Boolean member (JSON true/false). *present says whether it was given. Returns 0 or -1. */
int cm_api_in_bool(struct cm_api_in *b, struct cm_api_resp *resp, uint32_t obj, const char *name,
                   bool required, bool *present, bool *out);

/*
 * Array of strings member name: min..max elements, each 1..maxlen bytes. *out gets a
 * pointer array owned by the body (*n elements; NULL/0 when absent and not required).
 * Returns 0 or -1.
 */
int cm_api_in_strs(struct cm_api_in *b, struct cm_api_resp *resp, uint32_t obj, const char *name,
                   bool required, size_t min, size_t max, size_t maxlen, const char ***out,
                   size_t *n);

/*
 * The tags member of the body (a map of string to string): at most CM_API_MAX_TAGS
 * (api_tags.h), keys 1-128 bytes not starting with "aws:", values 0-256 bytes. Writes it
 * re-serialised into *json (owned by the body; "{}" when absent). Returns 0 or -1.
 */
int cm_api_in_tags(struct cm_api_in *b, struct cm_api_resp *resp, const char **json);

/*
 * maxResults (1-50, default 50) and nextToken of a GET list operation, from the query
 * string. *token is NULL when absent or empty. Returns 0 or -1 (a 400 naming the
 * parameter).
 */
int cm_api_in_page(const struct cm_api_req *req, struct cm_api_resp *resp, size_t *max,
                   const char **token);

/* The longest nextToken a page answer remembers (a detector id, a filter name, a store token). */
#define CM_API_PAGE_TOKEN_MAX 320

/*
 * The one writer of a list operation's answer, {"<member>":[...],"nextToken":"..."}:
 * cm_api_page_begin resets the body and opens the array, the items are written through
 * page->jw (cm_api_page_id writes an id and remembers it, cm_api_page_mark only
 * remembers one), cm_api_page_end closes it with nextToken when next is neither NULL
 * nor empty (page->last when the list has more after the last item written).
 */
struct cm_api_page {
    struct cm_jw jw;
    char last[CM_API_PAGE_TOKEN_MAX];
};

void cm_api_page_begin(struct cm_api_page *page, struct cm_api_resp *resp, const char *member);
void cm_api_page_mark(struct cm_api_page *page, const char *id);
void cm_api_page_id(struct cm_api_page *page, const char *id);
/* Returns 0 or -1 (the answer could not be written). */
int cm_api_page_end(struct cm_api_page *page, const char *next);

/* Sets resp to the empty object {} (the success body of an operation with no output). */
int cm_api_in_empty(struct cm_api_resp *resp);

#endif
