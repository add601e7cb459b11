/*
 * Looking up the console's compiled-in files (web_assets.h).
 */
#include "api/web_assets.h"

#include <stdint.h>
#include <string.h>

const struct cm_web_asset *cm_web_asset_find(const char *path)
{
    if (path == NULL)
        return NULL;
    for (const struct cm_web_asset *a = cm_web_assets; a->path != NULL; a++)
        if (strcmp(a->path, path) == 0)
            return a;
    return NULL;
}

void cm_web_asset_etag(const struct cm_web_asset *a, char out[CM_WEB_ETAG_LEN])
{
    static const char hexd[] = "0123456789abcdef";
    uint64_t h = 0xcbf29ce484222325ULL;

    for (size_t i = 0; i < a->len; i++) {
        h ^= a->data[i];
        h *= 0x100000001b3ULL;
    }
    out[0] = '"';
    for (int i = 0; i < 16; i++)
        out[1 + i] = hexd[(h >> (60 - 4 * i)) & 0xf];
    out[17] = '"';
    out[18] = '\0';
}
