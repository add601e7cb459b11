/*
 * The query string of an API request into req->query (api.h): "k=v" pairs
 * split at '&', each key and value percent-decoded with '+' as a space,
 * repeated keys kept in order, at most CM_API_MAX_QUERY pairs.
 */
#ifndef CM_API_API_QUERY_H
#define CM_API_API_QUERY_H

#include <stddef.h>

#include "api/api.h"

/*
 * Parses raw (the text after '?'; NULL or "": no pairs) into req->query.
 * Returns 0, or -1 with why set (a bad escape, an encoded NUL, too many pairs,
 * no memory); req->query is then empty.
 */
int cm_api_query_parse(struct cm_api_req *req, const char *raw, char *why, size_t whylen);

/* Frees req->query. */
void cm_api_query_free(struct cm_api_req *req);

#endif
