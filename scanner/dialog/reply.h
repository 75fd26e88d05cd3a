/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The reply reader shared by every line-based dialog (curl's pingpong).
 *
 * Incremental and allocation-bounded: fed any split of the byte stream, it
 * returns each complete reply once. Each protocol only says, per line,
 * whether the reply goes on or ends there. CR before LF is dropped, a bare
 * LF ends a line too, and blank lines are skipped. */
#ifndef STS_REPLY_H
#define STS_REPLY_H

#include <stddef.h>

#include "scanner/base/buf.h"

enum reply_line_kind { LINE_CONTINUES, LINE_ENDS_REPLY, LINE_MALFORMED };

struct reply {
    int code;      /* the three-digit code of the last line, or 0 */
    struct buf text; /* the lines, each ending in '\n' */
    int nlines;
};

/* Says whether a line continues the reply or ends it. so_far holds the
 * reply's earlier lines (none for its first line); ctx is the reader's. */
typedef enum reply_line_kind (*reply_classify_fn)(void *ctx, const struct reply *so_far,
                                                  const char *line, size_t len);

/* A binary protocol's framing (PostgreSQL, MySQL, LDAP): how long the
 * message at the start of the len bytes so far is. Returns its length (at
 * most len), 0 when more bytes are needed, or -1 when they cannot start a
 * message (*why says so, in words). */
typedef long (*reply_frame_fn)(void *ctx, const char *data, size_t len, const char **why);

struct reply_reader {
    reply_classify_fn classify;
    reply_frame_fn frame; /* set: messages are framed by it, not by lines */
    void *ctx;
    size_t max_line;  /* bytes in one line */
    size_t max_reply; /* bytes in one reply */
    int max_lines;    /* lines (blank ones included) in one reply */
    struct buf line;
    struct reply reply;
    int blank_lines;
    int handed_out; /* the reply was returned by DONE */
    const char *error; /* set with REPLY_ERROR */
};

enum reply_status { REPLY_NEED_MORE, REPLY_DONE, REPLY_ERROR };

void reply_reader_init(struct reply_reader *rr, reply_classify_fn classify, void *ctx);
/* A binary protocol's reader: each reply is one message, its bytes in
 * reply.text as they came (nlines 1, code 0), at most max_reply long. */
void reply_reader_init_framed(struct reply_reader *rr, reply_frame_fn frame, void *ctx);
void reply_reader_free(struct reply_reader *rr);
/* Feeds bytes. *used says how many were consumed: all of them with
 * NEED_MORE; up to the end of the reply with DONE (the rest belongs to what
 * follows). After DONE the reply is in rr->reply until the next feed. */
enum reply_status reply_feed(struct reply_reader *rr, const char *data, size_t len, size_t *used);
/* Is a partial line or reply pending? */
int reply_pending(const struct reply_reader *rr);

/* Iterates the lines of a reply: start with *off = 0; NULL at the end. */
const char *reply_next_line(const struct reply *r, size_t *off, size_t *len);
/* The reply's lines joined by " | ". */
int reply_join(const struct reply *r, struct text *out);

/* The last line of a reply. */
const char *reply_last_line(const struct reply *r, size_t *len);

/* SMTP: "ddd-text" continues, "ddd text" or "ddd" ends. */
enum reply_line_kind smtp_classify(void *ctx, const struct reply *so_far, const char *line,
                                   size_t len);
/* FTP (RFC 959 4.2): a reply starting "ddd-" ends at a line "ddd " with the
 * same code; the lines between may hold anything. */
enum reply_line_kind ftp_classify(void *ctx, const struct reply *so_far, const char *line,
                                  size_t len);

#endif
