/* Parsing of the key=value boot arguments (bootargs.h). */
#include <faultline/bootargs.h>
#include <faultline/bug.h>
#include <faultline/err.h>
#include <faultline/fmt.h>

/* One word of the command line: [key, key + klen) = [val, val + vlen). */
struct bootargs_word {
	const char *key;
	size_t klen;
	const char *val;
	size_t vlen;
};

static bool word_is(const struct bootargs_word *w, const char *key)
{
	size_t i = 0;

	for (; i < w->klen; i++) {
		if (key[i] != w->key[i]) {
			return false;
		}
	}
	return key[i] == '\0';
}

static bool val_is(const struct bootargs_word *w, const char *v)
{
	size_t i = 0;

	for (; i < w->vlen; i++) {
		if (v[i] != w->val[i]) {
			return false;
		}
	}
	return v[i] == '\0';
}

static int val_uint(const struct bootargs_word *w, unsigned max, unsigned *out)
{
	uint64_t v = 0;

	if (w->vlen == 0) {
		return -ERR_INVAL;
	}
	for (size_t i = 0; i < w->vlen; i++) {
		if (w->val[i] < '0' || w->val[i] > '9') {
			return -ERR_INVAL;
		}
		v = v * 10 + (uint64_t)(w->val[i] - '0');
		if (v > max) {
			return -ERR_RANGE;
		}
	}
	*out = (unsigned)v;
	return 0;
}

static int val_copy(const struct bootargs_word *w, char *dst, size_t size)
{
	if (w->vlen == 0 || w->vlen >= size) {
		return -ERR_RANGE;
	}
	for (size_t i = 0; i < w->vlen; i++) {
		dst[i] = w->val[i];
	}
	dst[w->vlen] = '\0';
	return 0;
}

static int bootargs_word(const struct bootargs_word *w, struct boot_options *o)
{
	if (word_is(w, "mode")) {
		if (val_is(w, "boot")) {
			o->mode = BOOT_MODE_BOOT;
		} else if (val_is(w, "test")) {
			o->mode = BOOT_MODE_TEST;
		} else if (val_is(w, "hotplug")) {
			o->mode = BOOT_MODE_HOTPLUG;
		} else if (val_is(w, "plan")) {
			o->mode = BOOT_MODE_PLAN;
		} else {
			return -ERR_INVAL;
		}
		return 0;
	}
	if (word_is(w, "crash")) {
		if (val_is(w, "data")) {
			o->crash = BOOT_CRASH_DATA;
		} else if (val_is(w, "undef")) {
			o->crash = BOOT_CRASH_UNDEF;
		} else if (val_is(w, "panic")) {
			o->crash = BOOT_CRASH_PANIC;
		} else if (val_is(w, "hang")) {
			o->crash = BOOT_CRASH_HANG;
		} else {
			return -ERR_INVAL;
		}
		return 0;
	}
	if (word_is(w, "test")) {
		return val_copy(w, o->test_filter, sizeof(o->test_filter));
	}
	if (word_is(w, "trace")) {
		return val_copy(w, o->trace_path, sizeof(o->trace_path));
	}
	if (word_is(w, "plan")) {
		return val_copy(w, o->plan_path, sizeof(o->plan_path));
	}
	if (word_is(w, "hotplug_cpu")) {
		return val_uint(w, 1023, &o->hotplug_cpu);
	}
	if (word_is(w, "hotplug_cycles")) {
		return val_uint(w, 1000, &o->hotplug_cycles);
	}
	if (word_is(w, "crash_cpu")) {
		return val_uint(w, 1023, &o->crash_cpu);
	}
	if (word_is(w, "bug")) {
		return bug_parse(w->val, w->vlen, &o->bugs);
	}
	if (word_is(w, "tracing")) {
		o->tracing_off = false;
		o->tracing_fault = false;
		if (w->vlen == 2 && w->val[0] == 'o' && w->val[1] == 'n') {
			return 0;
		}
		if (w->vlen == 3 && w->val[0] == 'o' && w->val[1] == 'f' &&
		    w->val[2] == 'f') {
			o->tracing_off = true;
			return 0;
		}
		if (w->vlen == 5 && w->val[0] == 'f' && w->val[1] == 'a' &&
		    w->val[2] == 'u' && w->val[3] == 'l' && w->val[4] == 't') {
			o->tracing_fault = true;
			return 0;
		}
		return -ERR_INVAL;
	}
	if (word_is(w, "cpus")) {
		int ret = val_uint(w, 1023, &o->max_cpus);

		return ret == 0 && o->max_cpus == 0 ? -ERR_RANGE : ret;
	}
	return -ERR_NOENT;
}

int bootargs_parse(const char *args, struct boot_options *o, char *err,
		   size_t err_size)
{
	const char dflt_trace[] = "trace.bin";
	const char dflt_plan[] = "plan.bin";
	const char *p = args;

	o->mode = BOOT_MODE_BOOT;
	o->test_filter[0] = '\0';
	o->hotplug_cpu = BOOT_HOTPLUG_ALL;
	o->hotplug_cycles = 1;
	o->crash = BOOT_CRASH_NONE;
	o->crash_cpu = 0;
	o->max_cpus = 0;
	o->bugs = 0;
	o->tracing_off = false;
	for (size_t i = 0; i < sizeof(dflt_trace); i++) {
		o->trace_path[i] = dflt_trace[i];
	}
	for (size_t i = 0; i < sizeof(dflt_plan); i++) {
		o->plan_path[i] = dflt_plan[i];
	}
	if (err_size > 0) {
		err[0] = '\0';
	}

	while (*p != '\0') {
		struct bootargs_word w = {p, 0, NULL, 0};
		int ret;

		while (*p == ' ' || *p == '\t') {
			p++;
		}
		if (*p == '\0') {
			break;
		}
		w.key = p;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '=') {
			p++;
		}
		w.klen = (size_t)(p - w.key);
		if (*p != '=') {
			fmt_snprintf(err, err_size,
				     "bootargs: \"%.*s\" is not key=value",
				     (int)w.klen, w.key);
			return -ERR_INVAL;
		}
		w.val = ++p;
		while (*p != '\0' && *p != ' ' && *p != '\t') {
			p++;
		}
		w.vlen = (size_t)(p - w.val);
		ret = bootargs_word(&w, o);
		if (ret == -ERR_NOENT) {
			fmt_snprintf(err, err_size,
				     "bootargs: unknown key \"%.*s\"",
				     (int)w.klen, w.key);
			return -ERR_INVAL;
		}
		if (ret != 0) {
			fmt_snprintf(
				err, err_size,
				"bootargs: bad value \"%.*s\" for %.*s (%s)",
				(int)w.vlen, w.val, (int)w.klen, w.key,
				err_name(ret));
			return -ERR_INVAL;
		}
	}
	return 0;
}
