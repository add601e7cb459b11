/*
 * What the store's own files share and nobody else sees: the connection
 * behind a struct cm_store (store.c owns it; store_findings.c borrows it).
 */
#ifndef CM_STORE_STORE_IMPL_H
#define CM_STORE_STORE_IMPL_H

#include <sqlite3.h>

#include "store/store.h"

/* The store's SQLite connection (borrowed; valid until cm_store_close). */
sqlite3 *cm_store_db(struct cm_store *st);

#endif
