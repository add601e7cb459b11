/*
 * The web console's files (web/), compiled into the binary: the Makefile runs
 * tools/webembed/webembed.sh over web/ into $(BUILD)/gen/web_assets_gen.c,
 * which defines cm_web_assets[]. A file of web/ is found by its name under
 * web/ ("index.html", "app.js"); web_serve.h puts them on /console/.
 */
#ifndef CM_API_WEB_ASSETS_H
#define CM_API_WEB_ASSETS_H

#include <stddef.h>

struct cm_web_asset {
    const char *path;         /* name under web/: "app.js" */
    const char *content_type; /* "text/javascript; charset=utf-8" */
    const unsigned char *data;
    size_t len;
};

/* Every file of web/, ended by an entry with path NULL (generated). */
extern const struct cm_web_asset cm_web_assets[];

/* The asset named path (exact, case-sensitive), or NULL. */
const struct cm_web_asset *cm_web_asset_find(const char *path);

/* The asset's entity tag: "\"" 16 hex digits of its FNV-1a 64 "\"",
 * NUL-terminated in out (at least CM_WEB_ETAG_LEN bytes). */
#define CM_WEB_ETAG_LEN 19
void cm_web_asset_etag(const struct cm_web_asset *a, char out[CM_WEB_ETAG_LEN]);

#endif
