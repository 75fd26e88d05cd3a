/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/dialog/xmppxml.h"

#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_STREAMS "http://etherx.jabber.org/streams"
#define NS_TLS "urn:ietf:params:xml:ns:xmpp-tls"
#define NS_SASL "urn:ietf:params:xml:ns:xmpp-sasl"
#define NS_STREAM_ERRORS "urn:ietf:params:xml:ns:xmpp-streams"

struct xmpp_xml {
    XML_Parser p;
    struct xmpp_facts facts;
    int depth;            /* 0 outside the stream, 1 inside it, 2 in a unit, ... */
    bool in_mechanism;    /* reading a <mechanism>'s text */
    bool in_sasl;         /* reading a SASL challenge's or success's text */
    long long unit_end;   /* where the unit that completed ends, in the stream */
    long long tag_end;    /* where the last start tag ends, in the stream */
    long long base;       /* where the current unit begins, in the stream */
    size_t fed;           /* bytes of the current unit expat has */
    bool suspended;       /* expat stopped at a unit's end, holding what followed */
    const char *error;
};

/* "NS|local" (expat's names with '|' between): is it this one? */
static bool is(const char *name, const char *ns, const char *local)
{
    size_t n = strlen(ns);
    return strncmp(name, ns, n) == 0 && name[n] == '|' && strcmp(name + n + 1, local) == 0;
}

static const char *local_of(const char *name)
{
    const char *bar = strrchr(name, '|');
    return bar ? bar + 1 : name;
}

static long long here_end(struct xmpp_xml *x)
{
    return XML_GetCurrentByteIndex(x->p) + XML_GetCurrentByteCount(x->p);
}

/* A unit is whole: expat stops there, keeping the bytes after it. */
static void unit_done(struct xmpp_xml *x, enum xmpp_unit unit, long long end)
{
    x->facts.unit = unit;
    x->unit_end = end;
    XML_StopParser(x->p, XML_TRUE);
}

static void begin_unit(struct xmpp_xml *x, const char *name)
{
    struct xmpp_facts *f = &x->facts;
    f->starttls = f->starttls_required = false;
    buf_reset(&f->mechanisms);
    buf_reset(&f->sasl_text);
    f->condition[0] = f->other[0] = '\0';
    snprintf(f->other, sizeof f->other, "%s", local_of(name));
}

static void on_start(void *ud, const char *name, const char **atts)
{
    struct xmpp_xml *x = ud;
    struct xmpp_facts *f = &x->facts;
    x->tag_end = here_end(x);
    int depth = x->depth++;
    if (depth == 0) {
        if (!is(name, NS_STREAMS, "stream")) {
            x->error = "not an XMPP stream (the first element is not stream:stream)";
            XML_StopParser(x->p, XML_FALSE);
            return;
        }
        f->version[0] = '\0';
        for (int i = 0; atts[i]; i += 2)
            if (strcmp(atts[i], "version") == 0) snprintf(f->version, sizeof f->version, "%s", atts[i + 1]);
        unit_done(x, XU_STREAM_OPEN, x->tag_end);
    } else if (depth == 1) {
        begin_unit(x, name);
        x->in_sasl = is(name, NS_SASL, "challenge") || is(name, NS_SASL, "success");
    } else if (depth == 2 && is(name, NS_TLS, "starttls")) {
        f->starttls = true;
    } else if (depth == 3 && is(name, NS_TLS, "required") && f->starttls) {
        f->starttls_required = true;
    } else if (depth == 3 && is(name, NS_SASL, "mechanism")) {
        x->in_mechanism = true;
        if (f->mechanisms.len) buf_append(&f->mechanisms, " ", 1);
    } else if (depth == 2 && (strncmp(name, NS_STREAM_ERRORS "|", sizeof NS_STREAM_ERRORS) == 0 ||
                               strncmp(name, NS_SASL "|", sizeof NS_SASL) == 0) &&
               strcmp(local_of(name), "text") != 0 && !f->condition[0]) {
        snprintf(f->condition, sizeof f->condition, "%s", local_of(name));
    }
}

static enum xmpp_unit unit_of(const char *name)
{
    if (is(name, NS_STREAMS, "features")) return XU_FEATURES;
    if (is(name, NS_STREAMS, "error")) return XU_STREAM_ERROR;
    if (is(name, NS_TLS, "proceed")) return XU_PROCEED;
    if (is(name, NS_TLS, "failure")) return XU_FAILURE;
    if (is(name, NS_SASL, "challenge")) return XU_SASL_CHALLENGE;
    if (is(name, NS_SASL, "success")) return XU_SASL_SUCCESS;
    if (is(name, NS_SASL, "failure")) return XU_SASL_FAILURE;
    return XU_OTHER;
}

static void on_end(void *ud, const char *name)
{
    struct xmpp_xml *x = ud;
    x->in_mechanism = false;
    int depth = --x->depth;
    if (depth == 1) x->in_sasl = false;
    /* An empty element's end has no bytes of its own: it ends with its tag. */
    long long end = XML_GetCurrentByteCount(x->p) > 0 ? here_end(x) : x->tag_end;
    if (depth == 1) unit_done(x, unit_of(name), end);
    if (depth == 0) unit_done(x, XU_STREAM_CLOSE, end);
}

static void on_text(void *ud, const char *s, int len)
{
    struct xmpp_xml *x = ud;
    /* A mechanism's name is short: a longer text is not kept whole. */
    if (x->in_mechanism && x->facts.mechanisms.len + (size_t)len < 4096)
        buf_append(&x->facts.mechanisms, s, (size_t)len);
    /* A SASL message is short (a SCRAM challenge is ~200 bytes): 16 KiB at most. */
    if (x->in_sasl && x->depth == 2 && x->facts.sasl_text.len + (size_t)len < 16384)
        buf_append(&x->facts.sasl_text, s, (size_t)len);
}

static void on_doctype(void *ud, const char *name, const char *sysid, const char *pubid, int internal)
{
    struct xmpp_xml *x = ud;
    (void)name, (void)sysid, (void)pubid, (void)internal;
    x->error = "a DOCTYPE in the stream (RFC 6120 11.1 forbids it)";
    XML_StopParser(x->p, XML_FALSE);
}

static int make_parser(struct xmpp_xml *x)
{
    if (x->p) XML_ParserFree(x->p);
    x->p = XML_ParserCreateNS(NULL, '|');
    if (!x->p) return -1;
    XML_SetUserData(x->p, x);
    XML_SetElementHandler(x->p, on_start, on_end);
    XML_SetCharacterDataHandler(x->p, on_text);
    XML_SetStartDoctypeDeclHandler(x->p, on_doctype);
    XML_SetParamEntityParsing(x->p, XML_PARAM_ENTITY_PARSING_NEVER);
    x->depth = 0;
    x->base = x->unit_end = x->tag_end = 0;
    x->fed = 0;
    x->suspended = false;
    x->in_mechanism = false;
    x->in_sasl = false;
    x->error = NULL;
    return 0;
}

struct xmpp_xml *xmpp_xml_new(void)
{
    struct xmpp_xml *x = calloc(1, sizeof *x);
    if (x && make_parser(x) != 0) {
        free(x);
        return NULL;
    }
    return x;
}

void xmpp_xml_free(struct xmpp_xml *x)
{
    if (!x) return;
    if (x->p) XML_ParserFree(x->p);
    buf_free(&x->facts.mechanisms);
    buf_free(&x->facts.sasl_text);
    free(x);
}

int xmpp_xml_restart(struct xmpp_xml *x)
{
    return make_parser(x);
}

/* expat's answer: a unit ended (its length), more is needed (0), or not. */
static long outcome(struct xmpp_xml *x, enum XML_Status st, size_t len, const char **why)
{
    if (st == XML_STATUS_ERROR) {
        *why = x->error ? x->error : XML_ErrorString(XML_GetErrorCode(x->p));
        return -1;
    }
    if (st != XML_STATUS_SUSPENDED) return 0;
    long long n = x->unit_end - x->base;
    if (n <= 0 || (size_t)n > x->fed || x->fed > len) {
        *why = "the XML stream's position was lost";
        return -1;
    }
    x->base = x->unit_end;
    x->fed -= (size_t)n; /* what followed the unit: expat has it already */
    x->suspended = true;
    return (long)n;
}

long xmpp_xml_frame(struct xmpp_xml *x, const char *data, size_t len, const char **why)
{
    if (x->suspended) {
        x->suspended = false;
        enum XML_Status st = XML_ResumeParser(x->p);
        if (st != XML_STATUS_OK) return outcome(x, st, len, why);
    }
    if (x->fed >= len) return 0;
    size_t n = len - x->fed;
    x->fed = len;
    return outcome(x, XML_Parse(x->p, data + len - n, (int)n, 0), len, why);
}

const struct xmpp_facts *xmpp_xml_facts(const struct xmpp_xml *x)
{
    return &x->facts;
}
