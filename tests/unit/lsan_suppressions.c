/* SPDX-License-Identifier: Apache-2.0 */
/*
 * LeakSanitizer default suppressions, linked into every Criterion test
 * program (harmless without --enable-sanitizers: nothing calls it then).
 *
 * Criterion 2.4 keeps a strdup'ed copy of its command-line/environment
 * options (criterion_handle_args) for the life of the process and never
 * frees it.  Under --enable-sanitizers LeakSanitizer reports that at exit
 * and then leaves through _exit, which also discards the buffered TAP
 * output: the test would show as "missing test plan".  Only that one
 * allocation site is suppressed; matching the whole libcriterion module
 * would hide real leaks too, since tests run below Criterion's frames.
 */
/* Default visibility: the build uses -fvisibility=hidden, and the
 * sanitizer runtime only finds the hook through the dynamic symbol table. */
__attribute__((visibility("default"))) const char *__lsan_default_suppressions(void);

const char *__lsan_default_suppressions(void)
{
    return "leak:criterion_handle_args\n";
}
