/*
 * What the expat readers of AWS's XML answers share (s3_xml.c, aws_sts_xml.c): one parse
 * of a whole answer, and the first failure with its line and column.
 */
#ifndef CM_AWS_AWS_XML_H
#define CM_AWS_AWS_XML_H

#include <expat.h>
#include <stddef.h>

struct cm_aws_xml {
    XML_Parser p; /* while cm_aws_xml_parse runs */
    void *ud;     /* the handlers' user data, while it runs */
    XML_StartElementHandler start;
    XML_EndElementHandler end;
    XML_CharacterDataHandler text;
    int rc;    /* the first failure a handler reported (cm_aws_xml_fail), 0 */
    char *why; /* says what failed */
    size_t whylen;
};

/* Records rc and "line L, column C: what" unless a failure came first; stops the parser. */
void cm_aws_xml_fail(struct cm_aws_xml *x, int rc, const char *what);

/*
 * Parses xml[0..n) (n at most INT32_MAX: the caller checks) with the handlers, ud their
 * user data. An entity declaration (<!DOCTYPE x [<!ENTITY ...>]>: AWS sends none; a hostile
 * or broken endpoint's entity expansion) stops the parse before any is used. Returns x->rc
 * (a handler's failure), CM_ESYNTAX (not well-formed, or an entity declared: why says the
 * line, column and reason), CM_ENOMEM (no parser; why untouched) or 0.
 */
int cm_aws_xml_parse(struct cm_aws_xml *x, const char *xml, size_t n, void *ud,
                     XML_StartElementHandler start, XML_EndElementHandler end,
                     XML_CharacterDataHandler text);

#endif
