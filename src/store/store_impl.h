/*
 * What the store's own files share and nobody else sees: the connection
 * behind a struct cm_store (store.c owns it; store_findings.c borrows it).
 */
#ifndef CM_STORE_STORE_IMPL_H
#define CM_STORE_STORE_IMPL_H

#include <sqlite3.h>
#include <stdint.h>

#include "store/store.h"

/* The store's SQLite connection (borrowed; valid until cm_store_close). */
sqlite3 *cm_store_db(struct cm_store *st);

/*
 * The filters the last cm_store_put_findings applied, owned by the store
 * (the rule names it returned point into them until the next put or
 * cm_store_close).
 */
struct cm_filterset *cm_store_put_filters(struct cm_store *st);

/*
 * One integer: the first column of the first row of sql, with the text arg
 * bound to its one parameter (NULL: none). -1 when the statement fails.
 */
int64_t cm_store_int(sqlite3 *db, const char *sql, const char *arg);

#endif
