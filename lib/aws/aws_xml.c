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

/* The caller's handlers, with its user data (the parser's is x). */
static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct cm_aws_xml *x = ud;

    x->start(x->ud, name, atts);
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    struct cm_aws_xml *x = ud;

    x->end(x->ud, name);
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
    struct cm_aws_xml *x = ud;

    x->text(x->ud, s, len);
}

static void XMLCALL on_entity(void *ud, const XML_Char *entity, int is_param, const XML_Char *value,
                              int value_len, const XML_Char *base, const XML_Char *system_id,
                              const XML_Char *public_id, const XML_Char *notation)
{
    (void)entity;
    (void)is_param;
    (void)value;
    (void)value_len;
    (void)base;
    (void)system_id;
    (void)public_id;
    (void)notation;
    cm_aws_xml_fail(ud, CM_ESYNTAX,
                    "an entity declaration (<!DOCTYPE> with <!ENTITY>): refused, AWS's answers "
                    "declare none");
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
    x->ud = ud;
    x->start = start;
    x->end = end;
    x->text = text;
    XML_SetUserData(x->p, x);
    XML_SetElementHandler(x->p, on_start, on_end);
    XML_SetCharacterDataHandler(x->p, on_text);
    XML_SetEntityDeclHandler(x->p, on_entity);
    XML_SetParamEntityParsing(x->p, XML_PARAM_ENTITY_PARSING_NEVER);
    if (XML_Parse(x->p, xml, (int)n, XML_TRUE) == XML_STATUS_ERROR && x->rc == 0) {
        say(x, XML_ErrorString(XML_GetErrorCode(x->p)));
        rc = CM_ESYNTAX;
    }
    XML_ParserFree(x->p);
    x->p = NULL;
    x->ud = NULL;
    return x->rc != 0 ? x->rc : rc;
}
