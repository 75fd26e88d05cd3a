/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/dialog/services.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

extern const struct dialog smtp_dialog, lmtp_dialog, imap_dialog, pop3_dialog, ftp_dialog, sieve_dialog,
    ldap_dialog, postgres_dialog, mysql_dialog, xmpp_dialog, xmpp_server_dialog, nntp_dialog, tls_dialog;

const struct service services[] = {
    {"smtp", 25, false, true, &smtp_dialog, ", the default", NULL, false},
    {"submission", 587, false, false, &smtp_dialog, "", "_submission._tcp", false},
    {"smtps", 465, true, false, &smtp_dialog, ", implicit TLS", "_submissions._tcp", false},
    {"imap", 143, false, false, &imap_dialog, "", "_imap._tcp", false},
    {"imaps", 993, true, false, &imap_dialog, "", "_imaps._tcp", false},
    {"pop3", 110, false, false, &pop3_dialog, "", "_pop3._tcp", false},
    {"pop3s", 995, true, false, &pop3_dialog, "", "_pop3s._tcp", false},
    {"ftp", 21, false, false, &ftp_dialog, ", AUTH TLS", NULL, false},
    {"lmtp", 24, false, false, &lmtp_dialog, "", NULL, false},
    {"sieve", 4190, false, false, &sieve_dialog, ", ManageSieve", "_sieve._tcp", false},
    {"ldap", 389, false, false, &ldap_dialog, ", StartTLS", "_ldap._tcp", false},
    {"ldaps", 636, true, false, &ldap_dialog, "", NULL, false},
    {"postgres", 5432, false, false, &postgres_dialog, ", PostgreSQL", NULL, false},
    {"mysql", 3306, false, false, &mysql_dialog, ", MySQL, MariaDB", NULL, false},
    {"xmpp", 5222, false, false, &xmpp_dialog, ", client to server", "_xmpp-client._tcp", true},
    {"xmpps", 5223, true, false, &xmpp_dialog, ", direct TLS", "_xmpps-client._tcp", true},
    {"xmpp-server", 5269, false, false, &xmpp_server_dialog, ", server to server", "_xmpp-server._tcp", true},
    {"nntp", 119, false, false, &nntp_dialog, "", NULL, false},
    {"nntps", 563, true, false, &nntp_dialog, "", NULL, false},
    {"tls", 443, true, false, &tls_dialog, ", implicit TLS on --port", NULL, false},
    {NULL, 0, false, false, NULL, NULL, NULL, false},
};

const struct service *service_find(const char *name)
{
    for (int i = 0; services[i].name; i++)
        if (strcasecmp(services[i].name, name) == 0) return &services[i];
    return NULL;
}

void service_names(char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; services[i].name && used < len; i++)
        used += (size_t)snprintf(out + used, len - used, "%s%s", i ? ", " : "", services[i].name);
}

void service_help(char *out, size_t len, int indent, int width)
{
    size_t used = 0;
    int col = indent;
    out[0] = '\0';
    for (int i = 0; services[i].name && used < len; i++) {
        char item[128];
        int n = snprintf(item, sizeof item, "%s (%s%d%s)%s", services[i].name, i == 0 ? "port " : "",
                         services[i].default_port, services[i].what, services[i + 1].name ? "," : "");
        if (col + n + 1 > width && col > indent) {
            used += (size_t)snprintf(out + used, len - used, "\n%*s", indent, "");
            col = indent;
        } else if (i) {
            used += (size_t)snprintf(out + used, len - used, " ");
            col++;
        }
        used += (size_t)snprintf(out + used, len - used, "%s", item);
        col += n;
    }
}
