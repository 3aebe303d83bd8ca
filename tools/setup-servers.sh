#!/usr/bin/env bash
# Install the real servers the tests talk to (Debian packages). Idempotent: does nothing
# when every program is already present. Needs root (or sudo) and apt.
set -euo pipefail

need=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
[ -x /usr/sbin/dovecot ] || need+=(dovecot-imapd dovecot-pop3d)
[ -x /usr/lib/dovecot/pop3 ] || need+=(dovecot-pop3d)
[ -x /usr/lib/dovecot/imap ] || need+=(dovecot-imapd)
[ -x /usr/sbin/smtp-sink ] || need+=(postfix)
[ -x /usr/sbin/vsftpd ] || need+=(vsftpd)
command -v curl >/dev/null 2>&1 || need+=(curl)

if [ ${#need[@]} -eq 0 ]; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

echo "tools/setup-servers.sh: installing ${need[*]}" >&2
# Keep package scripts from starting system services on ports 25/80/110/143 (see
# shared SERVERS.md): a policy-rc.d that exits 101, removed again if we created it.
created_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    created_policy=1
fi
cleanup() { if [ "$created_policy" = 1 ]; then $SUDO rm -f /usr/sbin/policy-rc.d; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections 2>/dev/null || true
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
