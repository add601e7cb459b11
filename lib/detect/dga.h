/*
 * The DGA model (issue #7, docs/detectors/dns-dga.md): a character-level
 * model of domain names trained in the project (tools/dga/), shipped as a
 * data file (data/dga/model.txt) and embedded in the binary
 * (cm_dga_model_builtin). Scoring is pure, allocation-free and thread-safe:
 * the model is immutable once parsed.
 */
#ifndef CM_DETECT_DGA_H
#define CM_DETECT_DGA_H

#include <stddef.h>

#include "base/diag.h"
#include "base/domain.h"
#include "base/str.h"

struct cm_dga_model;

/*
 * Parses a model file's text (the format data/dga/README.md describes)
 * into *out. Returns 0, CM_ENOMEM, or CM_ESYNTAX / CM_ERANGE with the line
 * and reason reported through diag (may be NULL).
 */
int cm_dga_model_parse(const char *text, size_t len, struct cm_dga_model **out,
                       struct cm_diag *diag);

/* Frees a parsed model; NULL is a no-op. Never call it on the built-in model. */
void cm_dga_model_free(struct cm_dga_model *m);

/*
 * The model compiled into the binary: const tables that the trainer
 * generates from the same data file (lib/detect/dga_weights.c), so there is
 * no parsing and no mutable global. Never NULL, never freed.
 */
const struct cm_dga_model *cm_dga_model_builtin(void);

/*
 * How likely the name is algorithmically generated, in [0, 1] (higher is
 * worse), from its registered domain's label(s) left of the public suffix
 * (d from cm_domain_parse). A name with no registered domain scores 0.
 */
double cm_dga_score(const struct cm_dga_model *m, const struct cm_domain *d);

#endif
