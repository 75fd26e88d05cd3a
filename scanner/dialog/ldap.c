/* SPDX-License-Identifier: GPL-2.0-or-later */
/* LDAP (RFC 4511 4.14, RFC 4513 3): the client speaks first, an
 * ExtendedRequest for StartTLS (1.3.6.1.4.1.1466.20037); resultCode 0 in
 * the ExtendedResponse starts TLS. Inside TLS (and under LDAPS) one search
 * of the root DSE asks for supportedSASLMechanisms (auth_mechs) and the
 * vendorName and vendorVersion some servers publish (the banner), then an
 * UnbindRequest. Messages are BER (scanner/dialog/ber.h). */
#include <stdio.h>
#include <string.h>

#include "scanner/dialog/ber.h"
#include "scanner/dialog/dialog.h"

enum ldap_state { LDAP_STARTTLS, LDAP_ROOT_DSE };

#define LDAP_MESSAGE_MAX (60 * 1024) /* under the reader's 64 KiB */
#define OP_EXTENDED_RESPONSE 0x78
#define OP_SEARCH_ENTRY 0x64
#define OP_SEARCH_DONE 0x65
#define STARTTLS_OID "1.3.6.1.4.1.1466.20037"

static long ldap_frame(void *ctx, const char *data, size_t len, const char **why)
{
    (void)ctx;
    const unsigned char *u = (const unsigned char *)data;
    size_t n = 0;
    if (u[0] != 0x30) {
        *why = "not an LDAPMessage (no BER SEQUENCE)";
        return -1;
    }
    long h = ber_header(u, len, &n, why);
    if (h <= 0) return h;
    if (n > LDAP_MESSAGE_MAX) {
        *why = "an LDAPMessage claiming more than 60 KiB";
        return -1;
    }
    return len >= (size_t)h + n ? h + (long)n : 0;
}

/* An LDAPMessage: its id, its protocolOp's tag and contents. */
static int read_message(const struct reply *r, int64_t *id, unsigned *op, struct ber *body)
{
    struct ber all = {(const unsigned char *)r->text.data, r->text.len}, msg, idc;
    unsigned tag;
    if (ber_next(&all, &tag, &msg) != 0 || ber_next(&msg, &tag, &idc) != 0 || tag != 0x02 ||
        ber_int(&idc, id) != 0 || ber_next(&msg, op, body) != 0)
        return -1;
    return 0;
}

/* An LDAPResult's resultCode and diagnosticMessage. */
static int read_result(struct ber body, int64_t *code, struct ber *diag)
{
    struct ber c, dn;
    unsigned tag, dtag;
    if (ber_next(&body, &tag, &c) != 0 || tag != 0x0a || ber_int(&c, code) != 0 ||
        ber_next(&body, &tag, &dn) != 0 || ber_next(&body, &dtag, diag) != 0)
        return -1;
    return 0;
}

static const char *result_name(int64_t code)
{
    switch (code) {
    case 0: return "success";
    case 1: return "operationsError";
    case 2: return "protocolError";
    case 51: return "busy";
    case 52: return "unavailable";
    case 53: return "unwillingToPerform";
    case 80: return "other";
    default: return "resultCode";
    }
}

static void send_starttls(struct dialog_session *s)
{
    unsigned char name[40], op[48], id[3], msg[64], seq[60];
    size_t nn = ber_put(name, sizeof name, 0x80, STARTTLS_OID, strlen(STARTTLS_OID));
    size_t no = ber_put(op, sizeof op, 0x77, name, nn);
    size_t ni = ber_put(id, sizeof id, 0x02, "\x01", 1);
    memcpy(seq, id, ni);
    memcpy(seq + ni, op, no);
    size_t nm = ber_put(msg, sizeof msg, 0x30, seq, ni + no);
    dialog_send(s, LDAP_STARTTLS, (const char *)msg, nm, "ExtendedRequest StartTLS (" STARTTLS_OID ")",
                "StartTLS response");
}

/* A base search of the root DSE, "(objectClass=*)", for three attributes. */
static void send_root_dse_search(struct dialog_session *s)
{
    static const char *const attrs[] = {"supportedSASLMechanisms", "vendorName", "vendorVersion"};
    unsigned char list[96], sel[100], req[127], msg[127], seq[125];
    size_t nl = 0, n = 0;
    for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++)
        nl += ber_put(list + nl, sizeof list - nl, 0x04, attrs[i], strlen(attrs[i]));
    size_t ns = ber_put(sel, sizeof sel, 0x30, list, nl);
    /* baseObject "", scope base, derefAliases never, no size limit, 10 s, not typesOnly */
    static const unsigned char head[] = {0x04, 0, 0x0a, 1, 0, 0x0a, 1, 0, 0x02, 1, 0, 0x02, 1, 10, 0x01, 1, 0};
    memcpy(seq, head, sizeof head);
    n = sizeof head;
    n += ber_put(seq + n, sizeof seq - n, 0x87, "objectClass", 11);
    memcpy(seq + n, sel, ns);
    size_t nr = ber_put(req, sizeof req, 0x63, seq, n + ns);
    static const unsigned char id[] = {0x02, 1, 2};
    memcpy(seq, id, sizeof id);
    memcpy(seq + sizeof id, req, nr);
    size_t nm = ber_put(msg, sizeof msg, 0x30, seq, sizeof id + nr);
    dialog_send(s, LDAP_ROOT_DSE, (const char *)msg, nm,
                "SearchRequest root DSE: supportedSASLMechanisms vendorName vendorVersion", "root DSE search");
}

static void on_start(struct dialog_session *s)
{
    if (s->tls_ready) /* LDAPS */
        send_root_dse_search(s);
    else
        send_starttls(s);
}

static void on_starttls(struct dialog_session *s, int64_t id, unsigned op, struct ber body)
{
    int64_t code = -1;
    struct ber diag = {0};
    if (op != OP_EXTENDED_RESPONSE || read_result(body, &code, &diag) != 0) {
        dialog_quit(s, ST_PROTOCOL_ERROR, "unexpected answer to StartTLS (protocolOp 0x%02x)", op);
    } else if (id == 0) { /* an unsolicited notification: Notice of Disconnection */
        dialog_quit(s, ST_SERVER_REFUSED, "notice of disconnection: %s (%lld): %.*s", result_name(code),
                    (long long)code, (int)diag.len, (const char *)diag.p);
    } else if (code == 0) {
        s->result->starttls = TRI_YES;
        dialog_start_tls(s);
    } else {
        /* RFC 4511 4.14.2: a server without StartTLS answers protocolError. */
        s->result->starttls = code == 2 ? TRI_NO : TRI_YES;
        dialog_quit(s, code == 2 ? ST_NO_STARTTLS : ST_STARTTLS_REFUSED, "StartTLS: %s (%lld): %.*s",
                    result_name(code), (long long)code, (int)diag.len, (const char *)diag.p);
    }
}

/* A SearchResultEntry of the root DSE: each attribute's values. */
static void read_entry(struct dialog_session *s, struct ber body)
{
    struct ber dn, attrs, attr, type, vals, v;
    unsigned tag;
    char banner[256] = "";
    if (ber_next(&body, &tag, &dn) != 0 || ber_next(&body, &tag, &attrs) != 0) return;
    while (ber_next(&attrs, &tag, &attr) == 0) {
        if (ber_next(&attr, &tag, &type) != 0 || ber_next(&attr, &tag, &vals) != 0) continue;
        bool mechs = type.len == 23 && memcmp(type.p, "supportedSASLMechanisms", 23) == 0;
        bool vendor = (type.len == 10 && memcmp(type.p, "vendorName", 10) == 0) ||
                      (type.len == 13 && memcmp(type.p, "vendorVersion", 13) == 0);
        while (ber_next(&vals, &tag, &v) == 0) {
            if (mechs) dialog_add_auth_mechs(s, (const char *)v.p, v.len);
            size_t used = strlen(banner);
            if (vendor && v.len < sizeof banner - used - 1)
                snprintf(banner + used, sizeof banner - used, "%s%.*s", used ? " " : "", (int)v.len,
                         (const char *)v.p);
        }
    }
    if (banner[0]) text_set_str(&s->result->banner, banner);
}

static void on_reply(struct dialog_session *s, const struct reply *r)
{
    int64_t id = -1;
    unsigned op = 0;
    struct ber body;
    if (read_message(r, &id, &op, &body) != 0) {
        dialog_quit(s, ST_PROTOCOL_ERROR, "a malformed LDAPMessage during %s",
                    s->state == LDAP_STARTTLS ? "StartTLS" : "the root DSE search");
        return;
    }
    if (s->state == LDAP_STARTTLS) {
        on_starttls(s, id, op, body);
    } else if (op == OP_SEARCH_ENTRY) {
        read_entry(s, body);
        dialog_expect(s, "root DSE search", s->params->reply_ms);
    } else if (op != OP_SEARCH_DONE && id != 0) {
        dialog_expect(s, "root DSE search", s->params->reply_ms); /* a reference: on to the end */
    } else {
        dialog_quit(s, ST_OK, "%s", ""); /* done, or refused: the verdict is in */
    }
}

static void describe(const struct reply *r, struct text *out)
{
    int64_t id = -1, code = -1;
    unsigned op = 0;
    struct ber body, diag = {0};
    if (read_message(r, &id, &op, &body) != 0)
        text_printf(out, "a malformed LDAPMessage of %zu bytes", r->text.len);
    else if ((op == OP_EXTENDED_RESPONSE || op == OP_SEARCH_DONE) && read_result(body, &code, &diag) == 0)
        text_printf(out, "%s (message %lld): %s (%lld)%s%.*s",
                    op == OP_EXTENDED_RESPONSE ? "ExtendedResponse" : "SearchResultDone", (long long)id,
                    result_name(code), (long long)code, diag.len ? ": " : "", (int)diag.len, (const char *)diag.p);
    else if (op == OP_SEARCH_ENTRY)
        text_printf(out, "SearchResultEntry (message %lld), %zu bytes", (long long)id, body.len);
    else
        text_printf(out, "LDAPMessage %lld, protocolOp 0x%02x", (long long)id, op);
}

/* UnbindRequest, message 3. */
static const char unbind[] = {0x30, 0x05, 0x02, 0x01, 0x03, 0x42, 0x00};

const struct dialog ldap_dialog = {
    .frame = ldap_frame,
    .describe = describe,
    .on_start = on_start,
    .on_reply = on_reply,
    .on_tls_ready = send_root_dse_search,
    .quit_command = unbind,
    .quit_len = sizeof unbind,
    .quit_shown = "UnbindRequest",
};
