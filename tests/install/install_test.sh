#!/usr/bin/env bash
# Install test, run by ctest (see CMakeLists.txt beside this file).
#
# 1. `cmake --install` the build into a scratch prefix;
# 2. the installed core must not depend on curl, microhttpd or sqlite;
# 3. a consumer built with pkg-config (hiveha and hiveha-<adapter> for each
#    built adapter) compiles, links and runs, calling one function of each;
# 4. a consumer built with find_package(hiveha COMPONENTS <built adapters>)
#    compiles, links and runs, calling one function of each adapter, and
#    really links each adapter library;
# 5. asking for a component that is not installed fails with a clear message.
set -euo pipefail

cmake=cmake cc=cc build='' config='' work='' consumer='' generator='' version='' components='' cflags=''
while [ $# -gt 0 ]; do
	case $1 in
	--cmake) cmake=$2 ;;
	--build) build=$2 ;;
	--config) config=$2 ;;
	--work) work=$2 ;;
	--consumer) consumer=$2 ;;
	--cc) cc=$2 ;;
	--generator) generator=$2 ;;
	--version) version=$2 ;;
	--components) components=$2 ;;
	--cflags) cflags=$2 ;;
	--static) static=$2 ;; # 1: the core and adapters are static libraries
	*) echo "install_test.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift 2
done

fail() {
	echo "FAIL: $*" >&2
	exit 1
}
step() {
	echo "== $*"
}

rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix

step "cmake --install into $prefix"
"$cmake" --install "$build" --prefix "$prefix" ${config:+--config "$config"} >"$work/install.log" ||
	{ cat "$work/install.log"; fail "cmake --install"; }

pc=$(find "$prefix" -name hiveha.pc -print -quit)
[ -n "$pc" ] || fail "hiveha.pc was not installed"
pcdir=$(dirname "$pc")
libdir=$(dirname "$pcdir")
[ -f "$libdir/cmake/hiveha/hivehaConfig.cmake" ] || fail "hivehaConfig.cmake is not in $libdir/cmake/hiveha"
[ -f "$prefix/include/hiveha/hiveha.h" ] || fail "headers were not installed"

static=${static:-0}

step "the core library links no adapter dependency"
if [ "$static" = 1 ]; then
	echo "static build: no NEEDED entries to check"
elif command -v readelf >/dev/null; then
	needed=$(readelf -d "$libdir/libhiveha.so" | grep NEEDED || true)
	echo "$needed"
	if grep -Eiq 'curl|microhttpd|sqlite' <<<"$needed"; then
		fail "libhiveha.so must not link curl, microhttpd or sqlite"
	fi
else
	echo "readelf not found; skipped"
fi

IFS=, read -r -a comps <<<"$components"

step "pkg-config consumer"
export PKG_CONFIG_PATH="$pcdir${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
got=$(pkg-config --modversion hiveha)
[ "$got" = "$version" ] || fail "pkg-config --modversion hiveha gave '$got', expected '$version'"
pc_cflags=$(pkg-config --print-errors --cflags hiveha)
pc_libs=$(pkg-config --print-errors --libs hiveha)
pkg-config --print-errors --static --libs hiveha | grep -q -- -lcjson ||
	fail "hiveha.pc does not carry libcjson in Requires.private"
case " $pc_cflags " in
*" -I$prefix/include "*) ;;
*) fail "hiveha.pc points to '$pc_cflags', not to the install prefix $prefix" ;;
esac
pc_defs=''
for c in ${comps[@]+"${comps[@]}"}; do
	pkg-config --print-errors --cflags --libs "hiveha-$c" >/dev/null ||
		fail "pkg-config hiveha-$c is not usable"
	pc_cflags="$pc_cflags $(pkg-config --cflags "hiveha-$c")"
	pc_libs="$(pkg-config --libs "hiveha-$c") $pc_libs"
	pc_defs="$pc_defs -DHIVEHA_CONSUMER_HAVE_${c^^}"
done
# shellcheck disable=SC2086 # flags are word lists
"$cc" -std=c11 -Wall -Wextra -Werror $cflags $pc_cflags $pc_defs "$consumer/consumer.c" \
	-o "$work/pc-consumer" $pc_libs $cflags -Wl,-rpath,"$libdir"
out=$("$work/pc-consumer")
echo "$out"
[ "$out" = "hiveha $version" ] || fail "pkg-config consumer printed '$out'"

step "find_package consumer (components: ${components:-none})"
cmake_args=(-DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc"
	-DCMAKE_C_FLAGS="$cflags" -DCMAKE_EXE_LINKER_FLAGS="$cflags")
[ -n "$generator" ] && cmake_args+=(-G "$generator")
"$cmake" -S "$consumer" -B "$work/cmake-consumer" "${cmake_args[@]}" \
	-DHIVEHA_COMPONENTS="${components//,/;}" >"$work/configure.log" ||
	{ cat "$work/configure.log"; fail "find_package consumer did not configure"; }
grep -F "from $libdir/cmake/hiveha" "$work/configure.log" ||
	{ cat "$work/configure.log"; fail "find_package found hiveha outside $prefix"; }
"$cmake" --build "$work/cmake-consumer" ${config:+--config "$config"} >"$work/build.log" ||
	{ cat "$work/build.log"; fail "find_package consumer did not build"; }
exe=$(find "$work/cmake-consumer" -type f -name consumer -perm -u+x -print -quit)
out=$("$exe")
echo "$out"
[ "$out" = "hiveha $version" ] || fail "find_package consumer printed '$out'"
if [ "$static" != 1 ] && command -v readelf >/dev/null; then
	exe_needed=$(readelf -d "$exe" | grep NEEDED || true)
	for c in ${comps[@]+"${comps[@]}"}; do
		grep -q "libhiveha-$c" <<<"$exe_needed" ||
			fail "the find_package consumer does not link libhiveha-$c: $exe_needed"
	done
fi

# A required component that is missing must stop the consumer's configure
# with a message that names it (and not configure silently without it).
missing=(bogus)
for c in sqlite http; do
	case ",$components," in
	*",$c,"*) ;;
	*) missing+=("$c") ;;
	esac
done
for c in "${missing[@]}"; do
	step "find_package(hiveha COMPONENTS $c) must fail"
	if "$cmake" -S "$consumer" -B "$work/missing-$c" "${cmake_args[@]}" \
		-DHIVEHA_COMPONENTS="$c" >"$work/missing-$c.log" 2>&1; then
		fail "find_package(hiveha COMPONENTS $c) succeeded"
	fi
	grep -F "hiveha::$c:" "$work/missing-$c.log" ||
		{ cat "$work/missing-$c.log"; fail "no clear message for missing component $c"; }
done

echo "install test passed"
