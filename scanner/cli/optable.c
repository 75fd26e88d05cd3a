/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/cli/optable.h"

#include <string.h>

#include "output/rows/formats.h"
#include "scanner/dialog/services.h"

#define OPTION_ROW(id, s, name, arg, def, cmds, flags, group, help, check_help)                    \
    {id, s, name, arg, def, cmds, flags, group, help, check_help},
static const struct option_row rows[] = {OPTIONS(OPTION_ROW)};
#undef OPTION_ROW
#define NROWS (sizeof rows / sizeof rows[0])

#define OPTION_HEADING(id, heading) heading,
static const char *const headings[] = {OPTION_GROUPS(OPTION_HEADING)};
#undef OPTION_HEADING

const struct option_row *optable_row(int id)
{
    return id > OPT_NONE && id < OPT_END ? &rows[id - OPT_NONE - 1] : NULL;
}

const struct option *optable_getopt(unsigned mask, const char **shorts)
{
    static struct option opts[NROWS + 1];
    static char letters[2 * NROWS + 1];
    size_t n = 0, k = 0;
    for (size_t i = 0; i < NROWS; i++) {
        if (!(rows[i].commands & mask)) continue;
        opts[n++] = (struct option){rows[i].name, rows[i].arg ? required_argument : no_argument, NULL, rows[i].id};
        if (rows[i].short_name && !memchr(letters, rows[i].short_name, k)) {
            letters[k++] = rows[i].short_name;
            if (rows[i].arg) letters[k++] = ':';
        }
    }
    opts[n] = (struct option){NULL, 0, NULL, 0};
    letters[k] = '\0';
    *shorts = letters;
    return opts;
}

int optable_id(int c, unsigned mask)
{
    if (c > OPT_NONE) return c;
    for (size_t i = 0; i < NROWS; i++)
        if (rows[i].short_name == c && (rows[i].commands & mask)) return rows[i].id;
    return '?';
}

void optable_each_default(unsigned cmd, void (*fn)(void *arg, int id, const char *def), void *arg)
{
    for (size_t i = 0; i < NROWS; i++)
        if ((rows[i].commands & cmd) && rows[i].def) fn(arg, rows[i].id, rows[i].def);
}

/* The format list: "csv (RFC 4180, ... the default), jsonl (...)", one a line. */
static void format_help(char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; output_formats[i] && used < len; i++)
        used += (size_t)snprintf(out + used, len - used, "%s%s: %s", i ? "\n" : "", output_formats[i]->name,
                                 output_formats[i]->what);
}

/* A help text with its @...@ filled in: the default, the lists. */
static void fill(char *out, size_t len, const char *text, const char *def)
{
    size_t used = 0;
    out[0] = '\0';
    for (const char *p = text; *p && used + 1 < len;) {
        const char *at = strchr(p, '@'), *end = at ? strchr(at + 1, '@') : NULL;
        if (!end) {
            snprintf(out + used, len - used, "%s", p);
            return;
        }
        used += (size_t)snprintf(out + used, len - used, "%.*s", (int)(at - p), p);
        char list[1024] = "";
        size_t n = (size_t)(end - at - 1);
        if (n == 1 && at[1] == 'D') snprintf(list, sizeof list, "%s", def ? def : "");
        else if (n == 8 && memcmp(at + 1, "SERVICES", 8) == 0) service_help(list, sizeof list, 0, 86 - 27);
        else if (n == 7 && memcmp(at + 1, "FORMATS", 7) == 0) format_help(list, sizeof list);
        else if (n == 5 && memcmp(at + 1, "NAMES", 5) == 0) service_names(list, sizeof list);
        if (used < len) used += (size_t)snprintf(out + used, len - used, "%s", list);
        p = end + 1;
    }
}

#define HELP_COLUMN 27

/* "  -p, --protocol NAME      text", continuation lines under the text. */
static void print_option(FILE *out, const struct option_row *r, const char *help)
{
    char left[64], text[2048];
    char s = r->short_name;
    int n = snprintf(left, sizeof left, "  %c%c%s--%s%s%s", s ? '-' : ' ', s ? s : ' ', s ? ", " : "  ", r->name,
                     r->arg ? " " : "", r->arg ? r->arg : "");
    fill(text, sizeof text, help, r->def);
    if (n < HELP_COLUMN) fprintf(out, "%-*s", HELP_COLUMN, left);
    else fprintf(out, "%s\n%*s", left, HELP_COLUMN, "");
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t k = nl ? (size_t)(nl - p) : strlen(p);
        fprintf(out, "%.*s\n", (int)k, p);
        if (!nl) break;
        fprintf(out, "%*s", HELP_COLUMN, "");
        p = nl + 1;
    }
}

/* check's options that mean what they mean for a scan, as one list:
 * "  --ca-file FILE, --ehlo NAME, ...", the last one with the words. */
static void print_as_for_scan(FILE *out)
{
    const struct option_row *list[NROWS];
    size_t n = 0;
    for (size_t i = 0; i < NROWS; i++)
        if ((rows[i].commands & CMD_CHECK) && !rows[i].check_help) list[n++] = &rows[i];
    int col = 0;
    for (size_t i = 0; i < n; i++) {
        char item[64];
        int w = snprintf(item, sizeof item, "--%s%s%s%s", list[i]->name, list[i]->arg ? " " : "",
                         list[i]->arg ? list[i]->arg : "", i + 1 < n ? "," : "");
        bool last = i + 1 == n;
        if (col && (last || col + 1 + w > 80)) {
            fputc('\n', out);
            col = 0;
        }
        col += fprintf(out, "%s%s", col ? " " : "  ", item);
    }
    if (n) fprintf(out, "%*s%s\n", col < HELP_COLUMN ? HELP_COLUMN - col : 1, "",
                   "as for a scan (see starttls-scan --help)");
}

void optable_print_help(FILE *out, unsigned cmd)
{
    int group = -1;
    for (size_t i = 0; i < NROWS; i++) {
        const struct option_row *r = &rows[i];
        const char *help = cmd == CMD_CHECK ? r->check_help : r->help;
        if (!(r->commands & cmd) || !help) continue;
        if (cmd == CMD_CHECK && r->group == G_END && group != G_END) print_as_for_scan(out);
        if (cmd == CMD_SCAN && (int)r->group != group)
            fprintf(out, "%s\n", headings[r->group]);
        group = (int)r->group;
        print_option(out, r, help);
    }
}
