# SPDX-License-Identifier: GPL-2.0-or-later
# bash completion for starttls-scan. tests/docs.py keeps these lists equal to
# the program's option table, --help and its protocol and format lists.

_starttls_scan_scan_opts="-p --protocol --port --no-mx --srv --no-srv --shard --shards -o --output --overwrite --resume -f --format
 -q --quiet --progress --summary --expiring-within --raw --rollup --report --metrics --metrics-aggregate -w --workers -c --concurrency --max-tls
 --resolver --mx-max --dns-timeout --allow-private --blocklist --allowlist --per-host --rate
 --retry-delay --no-retry --ehlo --timeout --connect-timeout --banner-timeout --reply-timeout
 --handshake-timeout --ca-file --versions --ciphers --no-dane --no-mta-sts --no-tls-rpt -h --help --version"
_starttls_scan_check_opts="-p --protocol --port --no-mx --srv --no-srv --no-verify --auth-user --auth-mech
 --nagios -w --warning -c --critical --warn-only --expiring-within
 --versions --ciphers --no-dane --no-mta-sts --no-tls-rpt --ca-file --ehlo --resolver --mx-max --dns-timeout --blocklist --allowlist --timeout
 --connect-timeout --banner-timeout --reply-timeout --handshake-timeout --allow-private
 -h --help --version"
_starttls_scan_protocols="smtp submission smtps imap imaps pop3 pop3s ftp lmtp sieve ldap ldaps postgres mysql xmpp xmpps xmpp-server nntp nntps tls"
_starttls_scan_formats="csv jsonl"
_starttls_scan_mechs="auto PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256 XOAUTH2 OAUTHBEARER"

_starttls_scan()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    local check="" i
    for ((i = 1; i < COMP_CWORD; i++)); do
        if [[ ${COMP_WORDS[i]} == check ]]; then check=1; break; fi
        [[ ${COMP_WORDS[i]} == -* ]] || break   # the first word that is not an option
    done
    COMPREPLY=()
    case $prev in
    -p|--protocol)
        COMPREPLY=($(compgen -W "$_starttls_scan_protocols" -- "$cur")); return ;;
    -f|--format)
        COMPREPLY=($(compgen -W "$_starttls_scan_formats" -- "$cur")); return ;;
    --auth-mech)
        COMPREPLY=($(compgen -W "$_starttls_scan_mechs" -- "$cur")); return ;;
    -o|--output|--summary|--rollup|--report|--metrics|--blocklist|--allowlist|--ca-file)
        COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --port|-w|--workers|-c|--concurrency|--max-tls|--resolver|--mx-max|--dns-timeout|--per-host|\
    --rate|--retry-delay|--ehlo|--timeout|--connect-timeout|--banner-timeout|--reply-timeout|\
    --handshake-timeout|--expiring-within|--auth-user|--shard|--shards|--warning|--critical|--warn-only)
        return ;;   # a value of the user's own
    esac
    if [[ $cur == -* ]]; then
        local opts=$_starttls_scan_scan_opts
        [[ -n $check ]] && opts=$_starttls_scan_check_opts
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    elif [[ -n $check ]]; then
        return      # a host of the user's own
    else
        COMPREPLY=($(compgen -f -- "$cur"))
        ((COMP_CWORD == 1)) && COMPREPLY+=($(compgen -W "check merge rollup report" -- "$cur"))
    fi
}
complete -o filenames -F _starttls_scan starttls-scan
