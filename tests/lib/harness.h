/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small kselftest-style test harness.
 *
 *	TEST(suite, name) { ASSERT_EQ(1, f()); }
 *
 *	FIXTURE(ioas) { int fd; };
 *	FIXTURE_SETUP(ioas) { self->fd = open(...); }
 *	FIXTURE_TEARDOWN(ioas) { close(self->fd); }
 *	TEST_F(ioas, alloc) { ASSERT_EQ(0, ioctl(self->fd, ...)); }
 *
 * Every test runs in a child process of its own, under a timeout (default
 * HARNESS_TIMEOUT seconds, or TEST_TIMEOUT()/TEST_F_TIMEOUT()); a crash or a
 * hang fails that test and the others go on.  A failed ASSERT_* ends the
 * test (the fixture's teardown still runs); a failed EXPECT_* marks it
 * failed and goes on.  SKIP(reason) ends it as skipped, with the reason.
 *
 * Output is TAP: "ok N suite.name", "not ok N suite.name", "ok N suite.name
 * # SKIP reason", diagnostics on lines starting with "# ", and last
 * "# N passed, N failed, N skipped".  The exit status is 0 only if nothing
 * failed.  Options: -l lists the tests, -t SUBSTRING runs the matching ones.
 */
#ifndef HARNESS_H
#define HARNESS_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define HARNESS_TIMEOUT 60

struct harness_test {
	const char *suite;
	const char *name;
	void (*run)(void);
	unsigned int timeout;
	struct harness_test *next;
};

void harness_register(struct harness_test *t);
void harness_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void harness_abort(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));
void harness_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2),
						       noreturn));
void harness_run_fixture(void *self, void (*setup)(void *),
			 void (*body)(void *), void (*teardown)(void *));
int harness_main(int argc, char **argv);

#define HARNESS_REGISTER(_suite, _name, _run, _timeout)			\
	static struct harness_test _harness_##_suite##_##_name = {	\
		.suite = #_suite, .name = #_name, .run = _run,		\
		.timeout = _timeout,					\
	};								\
	static void __attribute__((constructor))			\
	_harness_reg_##_suite##_##_name(void)				\
	{								\
		harness_register(&_harness_##_suite##_##_name);		\
	}

#define TEST_TIMEOUT(_suite, _name, _timeout)				\
	static void _test_##_suite##_##_name(void);			\
	HARNESS_REGISTER(_suite, _name, _test_##_suite##_##_name, _timeout) \
	static void _test_##_suite##_##_name(void)

#define TEST(_suite, _name) TEST_TIMEOUT(_suite, _name, HARNESS_TIMEOUT)

#define FIXTURE(_f) struct _fixture_##_f

#define FIXTURE_SETUP(_f)						\
	static void _setup_##_f(struct _fixture_##_f *self);		\
	static void __attribute__((unused)) _setup_v_##_f(void *self)	\
	{								\
		_setup_##_f(self);					\
	}								\
	static void _setup_##_f(struct _fixture_##_f *self)

#define FIXTURE_TEARDOWN(_f)						\
	static void _teardown_##_f(struct _fixture_##_f *self);	\
	static void __attribute__((unused)) _teardown_v_##_f(void *self) \
	{								\
		_teardown_##_f(self);					\
	}								\
	static void _teardown_##_f(struct _fixture_##_f *self)

#define TEST_F_TIMEOUT(_f, _name, _timeout)				\
	static void _body_##_f##_##_name(struct _fixture_##_f *self);	\
	static void _body_v_##_f##_##_name(void *self)			\
	{								\
		_body_##_f##_##_name(self);				\
	}								\
	static void _run_##_f##_##_name(void)				\
	{								\
		struct _fixture_##_f self;				\
									\
		memset(&self, 0, sizeof(self));				\
		harness_run_fixture(&self, _setup_v_##_f,		\
				    _body_v_##_f##_##_name,		\
				    _teardown_v_##_f);			\
	}								\
	HARNESS_REGISTER(_f, _name, _run_##_f##_##_name, _timeout)	\
	static void _body_##_f##_##_name(struct _fixture_##_f *self)

#define TEST_F(_f, _name) TEST_F_TIMEOUT(_f, _name, HARNESS_TIMEOUT)

#define SKIP(...) harness_skip(__VA_ARGS__)

/* Report a failed check; a fatal one ends the test (the compiler knows). */
#define __HARNESS_REPORT(_fatal, ...)					\
	do {								\
		if (_fatal)						\
			harness_abort(__FILE__, __LINE__, __VA_ARGS__);	\
		else							\
			harness_fail(__FILE__, __LINE__, __VA_ARGS__);	\
	} while (0)

/*
 * Compare in the type of the value under test, to which the expected value
 * (usually a literal) is converted; print both as 64-bit values.
 */
#define __HARNESS_CMP(_fatal, _expected, _seen, _op)			\
	do {								\
		__typeof__(_seen) __exp = (__typeof__(_seen))(_expected); \
		__typeof__(_seen) __seen = (_seen);			\
		if (!(__exp _op __seen))				\
			__HARNESS_REPORT(_fatal,	\
				"expected %s (%lld, 0x%llx) " #_op " %s (%lld, 0x%llx)", \
				#_expected, (long long)__exp,		\
				(unsigned long long)__exp, #_seen,	\
				(long long)__seen,			\
				(unsigned long long)__seen);		\
	} while (0)

#define ASSERT_EQ(e, s) __HARNESS_CMP(1, e, s, ==)
#define ASSERT_NE(e, s) __HARNESS_CMP(1, e, s, !=)
#define ASSERT_LT(e, s) __HARNESS_CMP(1, e, s, <)
#define ASSERT_LE(e, s) __HARNESS_CMP(1, e, s, <=)
#define ASSERT_GT(e, s) __HARNESS_CMP(1, e, s, >)
#define ASSERT_GE(e, s) __HARNESS_CMP(1, e, s, >=)
#define EXPECT_EQ(e, s) __HARNESS_CMP(0, e, s, ==)
#define EXPECT_NE(e, s) __HARNESS_CMP(0, e, s, !=)
#define EXPECT_LT(e, s) __HARNESS_CMP(0, e, s, <)
#define EXPECT_LE(e, s) __HARNESS_CMP(0, e, s, <=)
#define EXPECT_GT(e, s) __HARNESS_CMP(0, e, s, >)
#define EXPECT_GE(e, s) __HARNESS_CMP(0, e, s, >=)

#define __HARNESS_BOOL(_fatal, _cond, _want)				\
	do {								\
		if ((!!(_cond)) != (_want))				\
			__HARNESS_REPORT(_fatal,	\
				     "expected %s to be %s", #_cond,	\
				     (_want) ? "true" : "false");	\
	} while (0)

#define ASSERT_TRUE(c) __HARNESS_BOOL(1, c, 1)
#define ASSERT_FALSE(c) __HARNESS_BOOL(1, c, 0)
#define EXPECT_TRUE(c) __HARNESS_BOOL(0, c, 1)
#define EXPECT_FALSE(c) __HARNESS_BOOL(0, c, 0)

/* _call must fail with -1 and errno _err. */
#define __HARNESS_ERRNO(_fatal, _err, _call)				\
	do {								\
		long __rc;						\
		int __want = (_err);					\
									\
		errno = 0;						\
		__rc = (long)(_call);					\
		if (__rc != -1 || errno != __want)			\
			__HARNESS_REPORT(_fatal,	\
				     "expected %s to fail with %s, got %ld (errno %s)", \
				     #_call, strerrorname_np(__want) ?: "?", __rc, \
				     strerrorname_np(errno) ?: "0");	\
	} while (0)

#define ASSERT_ERRNO(err, call) __HARNESS_ERRNO(1, err, call)
#define EXPECT_ERRNO(err, call) __HARNESS_ERRNO(0, err, call)

/* _call must return 0; on failure print errno. */
#define __HARNESS_OK(_fatal, _call)					\
	do {								\
		long __rc;						\
									\
		errno = 0;						\
		__rc = (long)(_call);					\
		if (__rc != 0)						\
			__HARNESS_REPORT(_fatal,	\
				     "expected %s to succeed, got %ld (errno %s)", \
				     #_call, __rc,			\
				     strerrorname_np(errno) ?: "0");	\
	} while (0)

#define ASSERT_OK(call) __HARNESS_OK(1, call)
#define EXPECT_OK(call) __HARNESS_OK(0, call)

#endif /* HARNESS_H */
