/* The registry of protocols (zmap's probe modules): adding one is a new
 * dialog file and one line here. */
#include <strings.h>

#include "scanner/engine/conn.h"

extern const struct dialog smtp_dialog, submission_dialog, smtps_dialog, imap_dialog,
    imaps_dialog, pop3_dialog, pop3s_dialog, ftp_dialog, tls_dialog;

const struct dialog *const dialogs[] = {
    &smtp_dialog, &submission_dialog, &smtps_dialog, &imap_dialog, &imaps_dialog,
    &pop3_dialog, &pop3s_dialog,      &ftp_dialog,   &tls_dialog,  NULL,
};

const struct dialog *dialog_find(const char *name)
{
    for (int i = 0; dialogs[i]; i++)
        if (strcasecmp(dialogs[i]->name, name) == 0) return dialogs[i];
    return NULL;
}
