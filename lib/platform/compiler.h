/*
 * compiler.h - compiler attributes used by the core (internal).
 */
#ifndef HH_COMPILER_H
#define HH_COMPILER_H

/* HH_FMT(f, a): argument f is a printf format, its arguments start at a.
 * On MinGW the plain `printf` archetype means msvcrt's printf, which knows
 * neither %zu nor %lld; the build uses MinGW's C99 stdio
 * (__USE_MINGW_ANSI_STDIO, CMakeLists.txt), hence gnu_printf there. */
#if defined(__MINGW32__)
#  define HH_FMT(f, a) __attribute__((format(gnu_printf, f, a)))
#elif defined(__GNUC__) || defined(__clang__)
#  define HH_FMT(f, a) __attribute__((format(printf, f, a)))
#else
#  define HH_FMT(f, a)
#endif

#endif /* HH_COMPILER_H */
