/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/result/reason.h"

#include <stddef.h>
#include <string.h>

struct reason_row {
    enum reason_group group;
    enum reason_match match;
    const char *marker;
    const char *words;
};

#define POLICY_REASON_ROW(code, group, match, marker, words) {group, match, marker, words},
static const struct reason_row table[REASON_COUNT] = {POLICY_REASONS(POLICY_REASON_ROW)};
#undef POLICY_REASON_ROW

const char *policy_reason_words(enum policy_reason r)
{
    return (unsigned)r < REASON_COUNT ? table[r].words : "";
}

const char *policy_reason_marker(enum policy_reason r)
{
    return (unsigned)r < REASON_COUNT && table[r].marker ? table[r].marker : "";
}

static int found(const struct reason_row *t, const char *message)
{
    if (t->match == RM_START) return strncmp(message, t->marker, strlen(t->marker)) == 0;
    if (t->match == RM_ANYWHERE) return strstr(message, t->marker) != NULL;
    return 1;
}

enum policy_reason policy_reason_read(enum reason_group g, const char *message)
{
    if (g == RG_NONE) return REASON_NONE;
    for (int r = 0; r < REASON_COUNT; r++)
        if (table[r].group == g && found(&table[r], message ? message : "")) return (enum policy_reason)r;
    return REASON_NONE;
}
