/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An XMPP stream read with expat (libstrophe's parser_expat.c is the model):
 * fed whatever bytes arrived, it says where each unit of the stream ends
 * (the stream's opening tag, one first-level element, the stream's close)
 * and what that unit said, for the dialog (scanner/dialog/xmpp.c).
 * RFC 6120 11.1: a DOCTYPE (so any entity declaration) is refused. */
#ifndef STS_XMPPXML_H
#define STS_XMPPXML_H

#include <stdbool.h>
#include <stddef.h>

#include "scanner/base/buf.h"

enum xmpp_unit {
    XU_STREAM_OPEN,  /* <stream:stream ...> */
    XU_FEATURES,     /* <stream:features>...</stream:features> */
    XU_PROCEED,      /* <proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/> */
    XU_FAILURE,      /* <failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/> */
    XU_STREAM_ERROR, /* <stream:error>...</stream:error> */
    XU_STREAM_CLOSE, /* </stream:stream> */
    XU_SASL_CHALLENGE, /* <challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>base64</challenge> */
    XU_SASL_SUCCESS,   /* <success ...>base64</success> */
    XU_SASL_FAILURE,   /* <failure xmlns='...xmpp-sasl'><not-authorized/></failure> */
    XU_OTHER,        /* any other first-level element */
};

/* What the last unit said. */
struct xmpp_facts {
    enum xmpp_unit unit;
    char version[16];     /* the stream's version attribute, "" when none */
    bool starttls, starttls_required; /* in the features */
    struct buf mechanisms; /* the SASL mechanisms in the features, space-separated */
    char condition[48];   /* a stream error's defined condition, a SASL failure's */
    struct buf sasl_text;  /* a SASL challenge's or success's text (base64) */
    char other[64];       /* XU_OTHER's local name */
};

struct xmpp_xml;

struct xmpp_xml *xmpp_xml_new(void);
void xmpp_xml_free(struct xmpp_xml *x);
/* A new stream begins (after the TLS handshake). 0, or -1 without memory. */
int xmpp_xml_restart(struct xmpp_xml *x);
/* The reply reader's frame function (scanner/dialog/reply.h): data is the
 * current unit's bytes so far, from its first; returns the unit's length
 * once it is whole. */
long xmpp_xml_frame(struct xmpp_xml *x, const char *data, size_t len, const char **why);
const struct xmpp_facts *xmpp_xml_facts(const struct xmpp_xml *x);

#endif
