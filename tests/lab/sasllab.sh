# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# check's SASL mechanisms (sourced by lab.sh; issue 26): a second dovecot on
# sasl.lab.test (127.0.4.2) offering PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-1,
# SCRAM-SHA-256, XOAUTH2 and OAUTHBEARER for IMAP, POP3 and ManageSieve, and
# through its auth socket for postfix's submission on the same address; the
# tokens are checked by an OAuth2 introspection endpoint (introspect.py, on
# 127.0.4.3:8080). The first dovecot keeps PLAIN and LOGIN only, as the
# other tests expect. labuser's password is lab-password, its token
# lab-token-4242.

start_sasl() {
    local d=$dir/dovecot-sasl
    mkdir -p "$d/run" "$d/state" "$d/mail"
    chown nobody:nogroup "$d/mail" # the sessions after login (ManageSieve's storage)
    echo 'labuser:{PLAIN}lab-password::::::' > "$d/users"
    bg_in_ns "$d/introspect.log" "$d/introspect.pid" python3 "$here/introspect.py" 127.0.4.3 8080 lab-token-4242
    cat > "$d/oauth2.conf" <<CONF
introspection_mode = post
introspection_url = http://127.0.4.3:8080/introspect
username_attribute = username
active_attribute = active
active_value = true
force_introspection = yes
CONF
    {
        cat <<CONF
protocols = imap pop3 sieve
listen = 127.0.4.2
auth_mechanisms = plain login cram-md5 scram-sha-1 scram-sha-256 xoauth2 oauthbearer
# The tests read which mechanism each login used ("client in: AUTH ... MECH
# service=..."), and fail logins on purpose: no growing penalty for them.
auth_debug = yes
passdb {
  driver = passwd-file
  mechanisms = plain login cram-md5 scram-sha-1 scram-sha-256
  args = scheme=PLAIN username_format=%u $d/users
}
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $d/oauth2.conf
}
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
CONF
        dovecot_common "$d" 0 0 auth-sasl
    } > "$d/dovecot.conf"
    in_ns dovecot -c "$d/dovecot.conf" </dev/null >>"$d/stdio.log" 2>&1 || { cat "$d/stdio.log" >&2; return 1; }
    wait_listen t 127.0.4.2:4190
    wait_listen t 127.0.4.3:8080
}

stop_sasl() {
    stop_pid "$dir/dovecot-sasl/run/master.pid"
    stop_pid "$dir/dovecot-sasl/introspect.pid"
}
