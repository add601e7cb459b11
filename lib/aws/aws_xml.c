/*
 * One parse of an AWS XML answer (aws_xml.h).
 */
#include "aws/aws_xml.h"

#include <stdio.h>

#include "base/err.h"

static void say(struct cm_aws_xml *x, const char *what)
{
    snprintf(x->why, x->whylen, "line %lu, column %lu: %s",
             (unsigned long)XML_GetCurrentLineNumber(x->p),
             (unsigned long)XML_GetCurrentColumnNumber(x->p) + 1, what);
}

void cm_aws_xml_fail(struct cm_aws_xml *x, int rc, const char *what)
{
    if (x->rc == 0) {
        x->rc = rc;
        say(x, what);
    }
    XML_StopParser(x->p, XML_FALSE);
}

int cm_aws_xml_parse(struct cm_aws_xml *x, const char *xml, size_t n, void *ud,
                     XML_StartElementHandler start, XML_EndElementHandler end,
                     XML_CharacterDataHandler text)
{
    int rc = 0;

    x->p = XML_ParserCreate("UTF-8");
    if (x->p == NULL) {
        return CM_ENOMEM;
    }
    XML_SetUserData(x->p, ud);
    XML_SetElementHandler(x->p, start, end);
    XML_SetCharacterDataHandler(x->p, text);
    if (XML_Parse(x->p, xml, (int)n, XML_TRUE) == XML_STATUS_ERROR && x->rc == 0) {
        say(x, XML_ErrorString(XML_GetErrorCode(x->p)));
        rc = CM_ESYNTAX;
    }
    XML_ParserFree(x->p);
    x->p = NULL;
    return x->rc != 0 ? x->rc : rc;
}
