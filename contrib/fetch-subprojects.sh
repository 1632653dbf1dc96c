#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Put the source tarballs of the meson fallbacks (subprojects/*.wrap) into
# subprojects/packagecache/ without access to curl.se or github.com, using
# the Debian archive instead: Debian's *.orig.tar.gz of curl, nghttp2 and cjson are the
# upstream tarballs that the wraps pin. Each file is checked against the
# wrap's source_hash before it is put in place; files already there with the
# right hash are left alone, so the script can be run any number of times.
#
# Needs apt with deb-src entries. If there are none and the script runs as
# root, it adds /etc/apt/sources.list.d/debian-src.sources (deb-src copies of
# the enabled Debian deb entries) and runs `apt-get update`.
#
# Usage: contrib/fetch-subprojects.sh
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
sub=$top/subprojects
cache=$sub/packagecache

die() { echo "fetch-subprojects: $*" >&2; exit 1; }
say() { echo "fetch-subprojects: $*"; }

command -v apt-get >/dev/null || die "apt-get not found (this script only knows Debian's archive)"
command -v sha256sum >/dev/null || die "sha256sum not found"

# wrap_get FILE KEY: value of KEY in the [wrap-file] section of FILE.
wrap_get() {
	awk -v key="$2" '
		/^\[/ { insec = ($0 == "[wrap-file]"); next }
		insec && $0 ~ "^" key "[ \t]*=" {
			sub(/^[^=]*=[ \t]*/, ""); sub(/[ \t]+$/, ""); print; exit
		}' "$1"
}

have_deb_src() {
	grep -rqsE '^[[:space:]]*(deb-src[[:space:]]|Types:.*deb-src)' \
		/etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null
}

# Write deb-src twins of the enabled Debian entries (deb822 *.sources and
# one-line *.list), leaving third-party repositories out.
enable_deb_src() {
	[ "$(id -u)" = 0 ] || die "no deb-src entries in apt's sources; run as root once, or add them yourself"
	out=/etc/apt/sources.list.d/debian-src.sources
	tmp=$(mktemp)
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '
			function flush() {
				if (n && isdeb && debian && enabled) {
					for (i = 1; i <= n; i++) print lines[i]
					print ""
				}
				n = 0; isdeb = 0; debian = 0; enabled = 1
			}
			BEGIN { enabled = 1 }
			/^[ \t]*$/ { flush(); next }
			/^[ \t]*#/ { next }
			/^Types:/ { if ($0 ~ /[ \t]deb([ \t]|$)/) isdeb = 1; $0 = "Types: deb-src" }
			/^URIs:/ { if ($0 ~ /debian\.org|\/debian(-security)?\/?([ \t]|$)/) debian = 1 }
			/^Enabled:[ \t]*no/ { enabled = 0 }
			{ lines[++n] = $0 }
			END { flush() }' "$f" >>"$tmp"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -n -E 's/^[[:space:]]*deb[[:space:]]+(.*(debian\.org|\/debian(-security)?\/?)[[:space:]].*)$/deb-src \1/p' "$f"
	done >"$tmp.list"
	if [ -s "$tmp.list" ]; then
		mv "$tmp.list" /etc/apt/sources.list.d/debian-src.list
		say "wrote /etc/apt/sources.list.d/debian-src.list"
	else
		rm -f "$tmp.list"
	fi
	if [ -s "$tmp" ]; then
		install -m 0644 "$tmp" "$out"
		say "wrote $out"
	fi
	rm -f "$tmp"
	have_deb_src || die "found no Debian deb entries to derive deb-src entries from"
	apt-get update
}

# debian_version PKG VER: the newest known Debian version of source package
# PKG whose upstream part is VER (the version the wrap pins), if any.
debian_version() {
	re=$(printf '%s' "$2" | sed 's/[].[*^$\\/]/\\&/g')
	apt-cache showsrc "$1" 2>/dev/null |
		sed -n "s/^Version: \(\([0-9]*:\)\{0,1\}$re-[^ ]*\)\$/\1/p" |
		sort -V | tail -n 1
}

# fetch WRAP DEBIAN-SOURCE-PACKAGE UPSTREAM-VERSION
fetch() {
	wrap=$sub/$1
	pkg=$2
	ver=$3
	[ -f "$wrap" ] || die "$wrap missing"
	name=$(wrap_get "$wrap" source_filename)
	want=$(wrap_get "$wrap" source_hash)
	if [ -z "$name" ] || [ -z "$want" ]; then die "$1: no source_filename/source_hash"; fi
	dest=$cache/$name

	if [ -f "$dest" ]; then
		if [ "$(sha256sum <"$dest" | cut -d' ' -f1)" = "$want" ]; then
			say "$name: present, sha256 ok"
			return 0
		fi
		say "$name: present but sha256 differs, fetching again"
	fi

	debver=$(debian_version "$pkg" "$ver")
	if [ -z "$debver" ] && ! have_deb_src; then
		enable_deb_src
		debver=$(debian_version "$pkg" "$ver")
	fi
	[ -n "$debver" ] || die "$pkg: no Debian source package of upstream version $ver (apt-get update? other release?)"

	work=$(mktemp -d)
	# As root, apt downloads as user _apt, which must be able to write here.
	if [ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1; then
		chown _apt "$work"
	fi
	(cd "$work" && apt-get source --download-only -q "$pkg=$debver" >/dev/null) ||
		{ rm -rf "$work"; die "apt-get source $pkg=$debver failed"; }
	orig=$work/${pkg}_$ver.orig.tar.gz
	[ -f "$orig" ] || { rm -rf "$work"; die "$pkg $debver has no ${pkg}_$ver.orig.tar.gz"; }
	got=$(sha256sum <"$orig" | cut -d' ' -f1)
	if [ "$got" != "$want" ]; then
		rm -rf "$work"
		die "$pkg: ${pkg}_$ver.orig.tar.gz has sha256 $got, $1 wants $want"
	fi
	mkdir -p "$cache"
	cp "$orig" "$dest.tmp" && mv "$dest.tmp" "$dest"
	rm -rf "$work"
	say "$name: from Debian $pkg $debver, sha256 ok"
}

# wrap            Debian source  upstream version
fetch curl.wrap   curl           "$(wrap_get "$sub/curl.wrap" directory | sed 's/^curl-//')"
fetch cjson.wrap  cjson          "$(wrap_get "$sub/cjson.wrap" directory | sed 's/^cJSON-//')"
fetch nghttp2.wrap nghttp2       "$(wrap_get "$sub/nghttp2.wrap" directory | sed 's/^nghttp2-//')"
