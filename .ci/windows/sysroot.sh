#!/usr/bin/env bash
# .ci/windows/sysroot.sh - cross-builds libhiveha's dependencies for
# x86_64-w64-mingw32 from Debian's own source packages into a sysroot.
#
#   bash .ci/windows/sysroot.sh [SYSROOT]      (default: build-win/sysroot)
#
# Debian packages none of cJSON, SQLite, libcurl, libmicrohttpd, zlib or
# xxHash for MinGW, so each is fetched with `apt-get source` (Debian's
# patches applied) through a private apt setup under $work/apt: its own
# deb-src list made from the system's configured mirror, its own lists and
# cache. The system's apt configuration is never touched. Every library is
# built static; the sysroot gets headers, .a files and .pc files, and
# nothing from the host.
#
# Caching: a dependency is rebuilt only if its stamp
# ($SYSROOT/.stamps/<source>_<version>) is missing, so a second run in the
# same CI folder only checks versions. Sources live in $work/src, outside
# the repository, and are never committed.
#
# Needs: mingw-w64, cmake, make, dpkg-dev (dpkg-source), tclsh (SQLite's
# amalgamation is generated on the host). Figures: docs/windows.md.
set -euo pipefail
exec </dev/null

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
sysroot=$(realpath -m "${1:-$root/build-win/sysroot}")
work=$(dirname "$sysroot")/deps-work
host=x86_64-w64-mingw32
jobs=${HIVEHA_JOBS:-2}
nice=(nice -n "${HIVEHA_NICE:-15}")

for tool in $host-gcc $host-ar cmake make dpkg-source tclsh; do
	command -v "$tool" >/dev/null || { echo "sysroot: $tool not found" >&2; exit 1; }
done
mkdir -p "$sysroot"/{include,lib/pkgconfig,.stamps} "$work"/{apt/lists/partial,apt/cache/archives/partial,apt/sources.list.d,src}

log() { printf 'sysroot: [%s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }

# --- a private apt for `apt-get source` -----------------------------------
# deb-src twins of the system's own entries (deb822 .sources and one-line
# lists alike), so the mirror is whatever this machine is configured for.
apt_opts=(-o "Dir::Etc::SourceList=$work/apt/sources.list"
	-o "Dir::Etc::SourceParts=$work/apt/sources.list.d"
	-o "Dir::State::Lists=$work/apt/lists"
	-o "Dir::Cache=$work/apt/cache"
	-o "APT::Sandbox::User=root" -q)
apt_setup() {
	: >"$work/apt/sources.list"
	rm -f "$work/apt/sources.list.d"/*
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -e "$f" ] || continue
		sed 's/^Types:.*/Types: deb-src/' "$f" >"$work/apt/sources.list.d/$(basename "$f")"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -e "$f" ] || continue
		sed -n 's/^deb \(.*\)/deb-src \1/p' "$f" >>"$work/apt/sources.list"
	done
	# Lists older than a day are fetched again; within one CI run, never.
	if [ -z "$(find "$work/apt/lists" -maxdepth 1 -name '*Sources*' -mmin -1440 2>/dev/null | head -1)" ]; then
		log "apt-get update (private lists in $work/apt)"
		apt-get "${apt_opts[@]}" update >"$work/apt/update.log" 2>&1 ||
			{ cat "$work/apt/update.log" >&2; exit 1; }
	fi
}

src_versions() { # versions of source package $1 in the private lists, newest first
	apt-cache "${apt_opts[@]}" showsrc "$1" 2>/dev/null |
		sed -n 's/^Version: //p' | sort -Vru
}

# fetch SRC: unpacks Debian's source (patches applied) and echoes its dir.
fetch() {
	local pkg=$1 ver=$2 dir
	dir=$(find "$work/src/$pkg-$ver" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | head -1)
	if [ -z "$dir" ]; then
		rm -rf "$work/src/$pkg-$ver"
		mkdir -p "$work/src/$pkg-$ver"
		(cd "$work/src/$pkg-$ver" && apt-get "${apt_opts[@]}" source "$pkg=$ver" >fetch.log 2>&1) ||
			{ grep -E '^(E|Err):' "$work/src/$pkg-$ver/fetch.log" | head -3 >&2; return 1; }
		dir=$(find "$work/src/$pkg-$ver" -mindepth 1 -maxdepth 1 -type d | head -1)
	fi
	echo "$dir"
}

cross_cmake() { # cross_cmake SRCDIR BUILDDIR [cmake args...]
	local s=$1 b=$2
	shift 2
	"${nice[@]}" cmake -S "$s" -B "$b" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchain-mingw64.cmake" \
		-DHIVEHA_MINGW_SYSROOT="$sysroot" -DCMAKE_INSTALL_PREFIX="$sysroot" \
		-DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DBUILD_TESTING=OFF "$@" &&
		"${nice[@]}" cmake --build "$b" -j "$jobs" &&
		cmake --install "$b"
}

# --- one function per dependency -----------------------------------------
# Each runs in an `if`, where set -e does not apply: every step is chained.
build_zlib() {
	local s=$1 b=$1/build-mingw f
	# Debian's dfsg tarball drops win32/ (its MinGW makefile); the library
	# is fifteen C files, compiled directly.
	mkdir -p "$b" &&
		for f in adler32 compress crc32 deflate gzclose gzlib gzread gzwrite \
			infback inffast inflate inftrees trees uncompr zutil; do
			"${nice[@]}" $host-gcc -O2 -c "$s/$f.c" -o "$b/$f.o" || return 1
		done &&
		rm -f "$sysroot/lib/libz.a" && $host-ar rcs "$sysroot/lib/libz.a" "$b"/*.o &&
		cp "$s/zlib.h" "$s/zconf.h" "$sysroot/include/" &&
		write_pc zlib "zlib compression library" "${2%.dfsg*}" "-lz" ""
}

build_xxhash() {
	# Header-only for libhiveha (XXH_INLINE_ALL in lib/hash.h).
	cp "$1/xxhash.h" "$sysroot/include/"
}

build_cjson() {
	local s=$1
	# CJSON_HIDE_SYMBOLS: a static cJSON must not dllexport its symbols
	# from every DLL it is linked into.
	cross_cmake "$s" "$s/build-mingw" -DENABLE_CJSON_TEST=OFF -DENABLE_CJSON_UTILS=OFF \
		-DENABLE_CUSTOM_COMPILER_FLAGS=OFF -DENABLE_TARGET_EXPORT=OFF \
		-DCMAKE_C_FLAGS=-DCJSON_HIDE_SYMBOLS &&
		sed -i 's|^Cflags:.*|& -DCJSON_HIDE_SYMBOLS|' "$sysroot/lib/pkgconfig/libcjson.pc"
}

build_sqlite3() {
	local s=$1 b=$1/build-amalgamation
	# Debian ships the full source tree; its amalgamation (sqlite3.c) is
	# generated by host tools (lemon, tclsh), then compiled with MinGW.
	if [ ! -f "$b/sqlite3.c" ]; then
		mkdir -p "$b"
		(cd "$b" && "${nice[@]}" "$s/configure" --disable-tcl >configure.log 2>&1 &&
			"${nice[@]}" make sqlite3.c >make.log 2>&1) || { tail -30 "$b"/*.log >&2; return 1; }
	fi
	"${nice[@]}" $host-gcc -O2 -c "$b/sqlite3.c" -o "$b/sqlite3.o" -DSQLITE_THREADSAFE=1 \
		-DSQLITE_ENABLE_FTS5 -DSQLITE_ENABLE_JSON1 &&
		rm -f "$sysroot/lib/libsqlite3.a" &&
		$host-ar rcs "$sysroot/lib/libsqlite3.a" "$b/sqlite3.o" &&
		cp "$b/sqlite3.h" "$s/src/sqlite3ext.h" "$sysroot/include/" &&
		write_pc sqlite3 "SQL database engine" "$2" "-lsqlite3" ""
}

build_curl() {
	local s=$1
	# HTTP(S) only, TLS through Windows' own Schannel (no OpenSSL to
	# cross-build), no other optional library.
	cross_cmake "$s" "$s/build-mingw" -DCURL_USE_SCHANNEL=ON -DCURL_USE_OPENSSL=OFF \
		-DHTTP_ONLY=ON -DBUILD_CURL_EXE=OFF -DCURL_USE_LIBPSL=OFF -DCURL_USE_LIBSSH2=OFF \
		-DUSE_LIBIDN2=OFF -DUSE_NGHTTP2=OFF -DCURL_BROTLI=OFF -DCURL_ZSTD=OFF \
		-DCURL_ZLIB=ON -DZLIB_ROOT="$sysroot" -DENABLE_MANUAL=OFF -DCURL_DISABLE_LDAP=ON \
		-DENABLE_UNIX_SOCKETS=OFF &&
		# Its CMake config (CURL::libcurl) says CURL_STATICLIB; its .pc
		# does not, and without it every curl_* call is a dllimport.
		sed -i 's|^Cflags: .*|Cflags: -I${includedir} -DCURL_STATICLIB|' \
			"$sysroot/lib/pkgconfig/libcurl.pc"
}

build_libmicrohttpd() {
	local s=$1 b=$1/build-mingw
	# No GnuTLS: the Windows listener serves plain HTTP only (use_tls is
	# refused at start with a clear message; see docs/windows.md).
	mkdir -p "$b"
	(cd "$b" && "${nice[@]}" "$s/configure" --host=$host --prefix="$sysroot" \
		--disable-shared --enable-static --disable-https --without-gnutls \
		--disable-doc --disable-examples --disable-curl --disable-nls \
		--disable-tools >configure.log 2>&1 &&
		"${nice[@]}" make -j "$jobs" -C src/microhttpd >make.log 2>&1 &&
		make -C src/microhttpd install >install.log 2>&1 &&
		make install-pkgconfigDATA >>install.log 2>&1 &&
		make -C src/include install >>install.log 2>&1) ||
		{ tail -40 "$b"/*.log >&2; return 1; }
	# A static libmicrohttpd needs Winsock; its .pc leaves that out.
	sed -i 's|^Libs.private:.*|Libs.private: -lws2_32|' "$sysroot/lib/pkgconfig/libmicrohttpd.pc"
}

write_pc() { # write_pc NAME DESCRIPTION VERSION LIBS LIBS_PRIVATE
	cat >"$sysroot/lib/pkgconfig/$1.pc" <<PC
prefix=$sysroot
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: $1
Description: $2
Version: ${3%%-*}
Libs: -L\${libdir} $4
Libs.private: $5
Cflags: -I\${includedir}
PC
}

# --- main ------------------------------------------------------------------
apt_setup
started=$SECONDS
failed=()
# Order matters: curl links zlib.
for pkg in zlib xxhash cjson sqlite3 curl libmicrohttpd; do
	mapfile -t versions < <(src_versions "$pkg")
	if [ ${#versions[@]} -eq 0 ]; then
		echo "sysroot: no source package $pkg in the configured mirror" >&2
		failed+=("$pkg")
		continue
	fi
	# The newest version the mirror really serves: a mirror may list a
	# security update whose pool files it does not carry (404).
	ver= dir=
	for v in "${versions[@]}"; do
		if [ -f "$sysroot/.stamps/${pkg}_$v" ]; then
			ver=$v
			break
		fi
		log "$pkg $v: fetching"
		if dir=$(fetch "$pkg" "$v"); then
			ver=$v
			break
		fi
		rm -rf "$work/src/$pkg-$v"
		log "$pkg $v: not fetchable, trying an older version"
	done
	if [ -z "$ver" ]; then
		failed+=("$pkg")
		continue
	fi
	stamp="$sysroot/.stamps/${pkg}_$ver"
	if [ -f "$stamp" ]; then
		log "$pkg $ver: cached"
		continue
	fi
	t0=$SECONDS
	log "$pkg $ver: building in $dir"
	if "build_$pkg" "$dir" "${ver#*:}" >"$work/src/$pkg-$ver/build.log" 2>&1; then
		touch "$stamp"
		log "$pkg $ver: done in $((SECONDS - t0))s"
	else
		log "$pkg $ver: FAILED after $((SECONDS - t0))s; see $work/src/$pkg-$ver/build.log"
		tail -30 "$work/src/$pkg-$ver/build.log" >&2 || true
		failed+=("$pkg")
	fi
done
log "sysroot $sysroot: $((SECONDS - started))s"
if [ ${#failed[@]} -gt 0 ]; then
	echo "sysroot: failed: ${failed[*]}" >&2
	exit 1
fi
