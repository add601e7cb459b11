/*
 * Internal to src/intel/: what intel_config.c and intel_registry.c share.
 * Callers outside src/intel/ use intel/intel_config.h only.
 *
 * intel_config.c finds the directories, reads the bundle's manifest and owns
 * the entries; intel_registry.c reads and writes the registry (lists.json),
 * takes the lock and adds and removes user lists (cm_intel_config_lock,
 * _save, _add and _remove, declared in intel/intel_config.h). Both read list
 * objects of the same shape from a JSON document with the helpers below,
 * which report a bad document as "FILE: byte N: why" in err and return
 * CM_EINVAL (CM_ENOMEM, "out of memory", when an allocation fails).
 */
#ifndef CM_INTEL_INTEL_REGISTRY_H
#define CM_INTEL_INTEL_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/json.h"
#include "intel/intel_config.h"

/* Size cap of manifest.json and lists.json. */
#define CM_INTEL_JSON_MAX ((size_t)64 << 20)

/* ---- intel_registry.c ---- */

/*
 * Drops c's user entries and every feed state, then reads the registry
 * (none yet is not an error). Returns 0, CM_EINVAL (err names the file and
 * offset; no half-read entry stays), CM_EIO, CM_ENOMEM.
 */
int cm_intel_registry_load(struct cm_intel_config *c, char *err, size_t errlen);

/* ---- intel_config.c: entries ---- */

/* A new zeroed entry at the end of c, or NULL when out of memory. */
struct cm_intel_entry *cm_intel_entry_push(struct cm_intel_config *c);

/* Frees what e owns and zeroes it (its state too). */
void cm_intel_entry_free(struct cm_intel_entry *e);

/* Frees what s owns and zeroes it. */
void cm_intel_state_free(struct cm_intel_feed_state *s);

/* ---- intel_config.c: reading list objects ---- */

/* The document being read, for error messages. */
struct cm_intel_json_ctx {
    const struct cm_json_doc *d;
    const char *file;
    char *err;
    size_t errlen;
};

/*
 * Reads path whole into b and parses it into d; the top level must be an
 * object. Returns 0, CM_ENOTFOUND (no such file; err untouched), CM_EINVAL,
 * CM_EIO, CM_E2BIG (over b's cap) or CM_ENOMEM.
 */
int cm_intel_json_read(const char *path, struct cm_buf *b, struct cm_json_doc *d, char *err,
                       size_t errlen);

/* Sets err to "FILE: byte N: <fmt>" (N: node's offset). Returns CM_EINVAL. */
int cm_intel_json_err(struct cm_intel_json_ctx *p, uint32_t node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Member key of object obj, or CM_JSON_NONE when it is absent or null. */
uint32_t cm_intel_json_member(struct cm_intel_json_ctx *p, uint32_t obj, const char *key);

/*
 * String member key of obj, unescaped into a new *out (the old one freed).
 * Absent: an error when required, else *out is left alone. Not a string, or
 * holding a NUL: an error.
 */
int cm_intel_json_str(struct cm_intel_json_ctx *p, uint32_t obj, const char *key, bool required,
                      char **out);

/*
 * The top-level "version" member must be want (a document of another
 * version is refused, never guessed at).
 */
int cm_intel_json_version(struct cm_intel_json_ctx *p, int64_t want);

/*
 * name (checked with cm_intel_name_ok), kind (default threat), category
 * (required when need_category; else custom for threat lists, unknown for
 * trusted ones), format and threat_name of list object o, into e.
 */
int cm_intel_json_list(struct cm_intel_json_ctx *p, uint32_t o, struct cm_intel_entry *e,
                       bool need_category);

/*
 * An error at node when the last entry of c takes a name already used by
 * the entries c->v[from .. c->n - 1).
 */
int cm_intel_json_unique(struct cm_intel_json_ctx *p, struct cm_intel_config *c, size_t from,
                         uint32_t node);

#endif
