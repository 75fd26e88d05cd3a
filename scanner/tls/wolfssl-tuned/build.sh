#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The tuned wolfSSL (cmake -DSTS_WOLFSSL=tuned): Debian's own source package of
# exactly the installed libwolfssl-dev version, Debian's patches and flags,
# plus speed options, built into OUT as a static library that only this
# project links (the system's shared library is never shadowed).
#
#   build.sh OUT      fetch, verify, patch, configure, build, install into OUT/inst
#
# Fetching uses a private apt configuration in OUT/apt: deb-src entries made
# from the system's own deb entries (same mirrors, suites and keyrings), so
# the system's apt configuration is never touched. apt checks the archive's
# signature on InRelease and the hashes of Sources and of every file it
# downloads; dpkg-source then checks the .dsc's hashes of the tarballs (and
# the upstream signature when the package ships the upstream key).
#
# Speed options, each measured (bench/README.md, "The tuned wolfSSL"):
#   --enable-sp=yes --enable-sp-asm --enable-intelasm --enable-curve25519
#        wolfSSL's specialised RSA/ECC/DH code with x86-64 assembly, AES-NI,
#        and the fast X25519 (CPU features are detected at run time)
#   -DWOLFSSL_GETRANDOM   seed each DRBG with getrandom(2), not open/read/close
#        of /dev/urandom
#   -DSTS_NO_PEER_CERT_COPY (a three-line patch of src/internal.c below)
#        the scanner reads the peer's chain as DER (SESSION_CERTS) and never
#        the decoded copy that KEEP_PEER_CERT makes of the leaf in every
#        handshake (an X509 with an EVP_PKEY and an RSA object). Checked
#        after the build by compiling against the installed headers.
# Rebuilt when the installed version or this script changes (OUT/stamp).
set -euo pipefail
out=$(realpath -m "${1:?usage: build.sh OUT}")
here=$(cd "$(dirname "$0")" && pwd)
version=$(dpkg-query -W -f='${Version}' libwolfssl-dev 2>/dev/null) || {
    echo "wolfssl-tuned: libwolfssl-dev is not installed: the tuned build is made from the source of the installed version" >&2
    exit 1
}
stamp="$version $(sha256sum < "$0" | cut -c1-16)"
if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$stamp" ] && [ -f "$out/inst/lib/libwolfssl.a" ]; then
    exit 0
fi
for tool in apt-get dpkg-source autoreconf libtoolize make python3; do
    command -v "$tool" >/dev/null || {
        echo "wolfssl-tuned: $tool is missing (bash tests/lab/install-deps.sh tuned installs what the tuned build needs)" >&2
        exit 1
    }
done
echo "wolfssl-tuned: building Debian's wolfssl $version with speed options (about a minute on 2 cores)"
rm -rf "$out/src" "$out/inst" "$out/stamp"
mkdir -p "$out/apt/lists/partial" "$out/apt/cache/archives/partial" "$out/dl"

# deb-src twins of the system's deb entries (one-line and deb822 formats).
python3 - "$out/apt/sources.list" <<'PY'
import glob, re, sys
lines = []
def add(uris, suites, comps, signed):
    opt = " [signed-by=%s]" % signed if signed else ""
    for u in uris:
        for s in suites:
            lines.append("deb-src%s %s %s %s" % (opt, u, s, " ".join(comps)))
for path in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
    try:
        text = open(path).read()
    except OSError:
        continue
    for l in text.splitlines():
        m = re.match(r"\s*deb\s+(\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s+(.*)", l)
        if m and "debian" in m.group(2):
            signed = re.search(r"signed-by=(\S+?)[\s\]]", m.group(1) or "")
            add([m.group(2)], [m.group(3)], m.group(4).split("#")[0].split(), signed and signed.group(1))
for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
    for block in open(path).read().split("\n\n"):
        f = {}
        for l in block.splitlines():
            if ":" in l and not l.startswith("#"):
                k, v = l.split(":", 1)
                f[k.strip().lower()] = v.split()
        if "deb" in f.get("types", []) and f.get("uris") and any("debian" in u for u in f["uris"]):
            add(f["uris"], f.get("suites", []), f.get("components", []), (f.get("signed-by") or [None])[0])
if not lines:
    sys.exit("wolfssl-tuned: no Debian deb entry in /etc/apt: cannot find the source package")
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PY
apt=(apt-get -q -o Dir::Etc::SourceList="$out/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
     -o Dir::State::Lists="$out/apt/lists" -o Dir::Cache="$out/apt/cache"
     -o Debug::NoLocking=true -o APT::Sandbox::User="$(id -un)")
"${apt[@]}" update >"$out/apt/update.log" 2>&1 || { cat "$out/apt/update.log" >&2; exit 1; }
(cd "$out/dl" && "${apt[@]}" source --download-only "wolfssl=$version") >"$out/apt/source.log" 2>&1 ||
    { cat "$out/apt/source.log" >&2; echo "wolfssl-tuned: the source of wolfssl $version is not on the mirror" >&2; exit 1; }
dsc=$(ls "$out"/dl/wolfssl_*.dsc)
dpkg-source --require-strong-checksums -x "$dsc" "$out/src" >"$out/dl/extract.log" 2>&1 ||
    { cat "$out/dl/extract.log" >&2; exit 1; }

cd "$out/src"
# No decoded peer-certificate copy: Debian's OpenSSL compatibility layer
# forces KEEP_PEER_CERT (settings.h), and ssl.c needs the member, so the
# one copy ProcessPeerCerts makes per handshake is what is switched off
# (STS_NO_PEER_CERT_COPY; wolfSSL_get_peer_certificate then finds none).
python3 - src/internal.c <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
copy = "                    copyRet = CopyDecodedToX509(&ssl->peerCert, args->dCert);\n"
if text.count(copy) != 1:
    sys.exit("wolfssl-tuned: internal.c's peer-certificate copy moved: review build.sh")
open(path, "w").write(text.replace(copy, "#ifndef STS_NO_PEER_CERT_COPY\n" + copy + "#endif\n"))
PY
autoreconf -fi >"$out/autoreconf.log" 2>&1 || { cat "$out/autoreconf.log" >&2; exit 1; }
export DEB_BUILD_MAINT_OPTIONS=hardening=+all
CFLAGS="$(dpkg-buildflags --get CFLAGS) -DWOLFSSL_GETRANDOM -DSTS_NO_PEER_CERT_COPY" \
CPPFLAGS="$(dpkg-buildflags --get CPPFLAGS)" LDFLAGS="$(dpkg-buildflags --get LDFLAGS)" \
./configure --prefix="$out/inst" \
    --enable-distro --enable-pkcs11 --disable-examples --disable-silent-rules \
    --enable-sp=yes --enable-sp-asm --enable-intelasm --enable-curve25519 \
    >"$out/configure.log" 2>&1 || { tail -30 "$out/configure.log" >&2; exit 1; }
make -j "$(nproc)" >"$out/make.log" 2>&1 || { tail -40 "$out/make.log" >&2; exit 1; }
make install >"$out/install.log" 2>&1 || { tail -20 "$out/install.log" >&2; exit 1; }
# A distro build leaves options.h out of make install (Debian's packaging
# installs it): the options this library was built with, for our compiler.
install -m 0644 wolfssl/options.h "$out/inst/include/wolfssl/options.h"
# What a program compiled against this library sees: no peer-certificate
# copy, the kernel's random source, the options the speed flags promise.
cat > "$out/check.c" <<'C'
#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/random.h>
#if !defined(STS_NO_PEER_CERT_COPY) || !defined(WOLFSSL_GETRANDOM)
#error "the peer-certificate copy is still made, or the seed is not getrandom(2)"
#endif
#if !defined(WOLFSSL_SP_X86_64_ASM) || !defined(USE_INTEL_SPEEDUP) || !defined(SESSION_CERTS)
#error "the speed options (or SESSION_CERTS, which the scanner reads) are missing"
#endif
int main(void) { return 0; }
C
cc -fsyntax-only -I"$out/inst/include" "$out/check.c" ||
    { echo "wolfssl-tuned: the built options are not the promised ones" >&2; exit 1; }
echo "$version" > "$out/version"
printf '#define STS_TUNED_VERSION "%s"\n' "$version" > "$out/inst/include/sts_tuned_version.h"
echo "$stamp" > "$out/stamp"
echo "wolfssl-tuned: $out/inst/lib/libwolfssl.a (Debian $version, tuned)"
